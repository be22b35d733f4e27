import AgentBase
import FoundationEssentials

/// DigitalOcean's `interfaces` as a cloud-init network config version 1, converted by the
/// agent's own v1 converter, so the droplet's network goes through the same validation and
/// renderers as every other source's.
///
/// What carries over from cloud-init's `convert_network_configuration`
/// (helpers/digitalocean.py): the first interface of each kind; `public` is named `eth0`
/// and `private` `eth1`, matched by MAC; `ipv4`, `ipv6`, `anchor_ipv4`, `anchor_ipv6` become
/// static subnets (IPv4 with `netmask`, IPv6 as `address/cidr`); only the public interface's
/// own addresses keep their gateway (the anchor and private ones have none, or two default
/// routes would compete); `dns.nameservers` are the global name servers.
enum DigitalOceanNetwork {
    /// What cloud-init calls `NIC_MAP`. An interface of another kind is skipped: its name
    /// would have to come from the running system, which a source does not read.
    static let interfaceNames = ["public": "eth0", "private": "eth1"]
    static let addressKinds = ["ipv4", "ipv6", "anchor_ipv4", "anchor_ipv6"]

    /// Nil when the document has no `interfaces` object; else the converted network, or
    /// `.invalid` naming the field that cannot be used.
    static func description(interfaces: JSONValue?, dns: JSONValue?) -> NetworkDescription? {
        guard let kinds = interfaces?.objectValue, !kinds.isEmpty else { return nil }
        var config: [YAMLValue] = []
        for kind in kinds.keys.sorted() {
            guard let name = interfaceNames[kind], let nic = kinds[kind]?.arrayValue?.first?.objectValue else {
                continue
            }
            var entry: [String: YAMLValue] = ["type": .string("physical"), "name": .string(name)]
            if let mac = nic["mac"]?.stringValue { entry["mac_address"] = .string(mac) }
            var subnets: [YAMLValue] = []
            for addressKind in addressKinds {
                guard let part = nic[addressKind]?.objectValue else { continue }
                let withGateway = kind == "public" && !addressKind.hasPrefix("anchor")
                subnets.append(.map(subnet(part, withGateway: withGateway)))
            }
            entry["subnets"] = .list(subnets)
            config.append(.map(entry))
        }
        let servers = dns?.objectValue?["nameservers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !servers.isEmpty {
            config.append(.map(["type": .string("nameserver"), "address": .list(servers.map(YAMLValue.string))]))
        }
        return NetworkDescription.fromCloudInitNetworkConfig(.map(["version": .int(1), "config": .list(config)]))
    }

    /// One static subnet: an IPv6 address carries its prefix length (`cidr`), an IPv4 one
    /// its `netmask`. Missing fields stay missing: the v1 converter names them.
    private static func subnet(_ part: [String: JSONValue], withGateway: Bool) -> [String: YAMLValue] {
        var subnet: [String: YAMLValue] = ["type": .string("static")]
        let address = part["ip_address"]?.stringValue
        if let address, address.contains(":") {
            let prefix = part["cidr"].flatMap { CloudJSON.identifier($0) }
            subnet["address"] = .string(prefix.map { "\(address)/\($0)" } ?? address)
        } else {
            if let address { subnet["address"] = .string(address) }
            if let netmask = part["netmask"]?.stringValue { subnet["netmask"] = .string(netmask) }
        }
        if withGateway, let gateway = part["gateway"]?.stringValue { subnet["gateway"] = .string(gateway) }
        return subnet
    }
}
