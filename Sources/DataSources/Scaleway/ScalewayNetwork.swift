import AgentBase
import FoundationEssentials

/// Scaleway's network as cloud-init 22.4.2 derives it (DataSourceScaleway `network_config`):
/// the fallback NIC (`FallbackNIC`, matched by its MAC) by DHCPv4, plus, when the conf
/// document's `ipv6` is an object, its static `address`/`netmask` (a prefix length) with a
/// default route `::/0` via its `gateway`. As a cloud-init network config version 1,
/// converted by the agent's own converter.
///
/// Later cloud-init (24.1 and on) reads `public_ips` instead and writes a version 2 config
/// with a route to the metadata service; the instances still serve `ipv6`, which is what
/// the agent follows (docs/PROTOCOLS.md, Scaleway).
enum ScalewayNetwork {
    /// Nil when the guest has no candidate NIC (nothing to match: the image's own
    /// configuration stays); else the converted network, or `.invalid` naming the `ipv6`
    /// field that cannot be used.
    static func description(conf: [String: JSONValue], nic: FallbackNIC?) -> NetworkDescription? {
        guard let nic else { return nil }
        var subnets: [YAMLValue] = [.map(["type": .string("dhcp4")])]
        if let ipv6 = conf["ipv6"]?.objectValue {
            var subnet: [String: YAMLValue] = ["type": .string("static")]
            // cloud-init formats each with "%s": a number (a netmask given as 64) is its text.
            if let address = CloudJSON.identifier(ipv6["address"]) { subnet["address"] = .string(address) }
            if let netmask = CloudJSON.identifier(ipv6["netmask"]) { subnet["netmask"] = .string(netmask) }
            if let gateway = CloudJSON.identifier(ipv6["gateway"]) {
                subnet["routes"] = .list([
                    .map(["network": .string("::"), "prefix": .string("0"), "gateway": .string(gateway)])
                ])
            }
            subnets.append(.map(subnet))
        }
        let link: [String: YAMLValue] = [
            "type": .string("physical"), "name": .string(nic.name), "mac_address": .string(nic.macAddress),
            "subnets": .list(subnets),
        ]
        return NetworkDescription.fromCloudInitNetworkConfig(.map(["version": .int(1), "config": .list([.map(link)])]))
    }
}
