import AgentBase
import FoundationEssentials

/// UpCloud's `network` as a cloud-init network config version 1, converted by the agent's
/// own v1 converter (as DigitalOcean's is).
///
/// What carries over from cloud-init's `convert_to_network_config_v1` (helpers/upcloud.py):
/// every interface, matched by `mac`; each of its `ip_addresses` is a subnet: `dhcp: true`
/// is DHCPv4, or stateless DHCPv6 for the `IPv6` family; otherwise a static address
/// (`static6` for IPv6) with the prefix length of `network` (`94.237.105.50/32`), its
/// `gateway` when not empty, and its `dns` when they differ from the global ones; the
/// top-level `dns` are the global name servers. Departure: a link is named `eth<index - 1>`
/// (cloud-init uses the running system's name for the MAC, which a source does not read);
/// the network plugin matches it by MAC.
enum UpCloudNetwork {
    /// Nil when the document has no `network.interfaces`; else the converted network, or
    /// `.invalid` naming the entry and field that cannot be used.
    static func description(_ network: JSONValue?) -> NetworkDescription? {
        guard let network = network?.objectValue, let interfaces = network["interfaces"]?.arrayValue,
            !interfaces.isEmpty
        else { return nil }
        let dns = network["dns"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var config: [YAMLValue] = []
        for (position, raw) in interfaces.enumerated() {
            guard let nic = raw.objectValue else { continue }
            let index = nic["index"]?.wholeNumber ?? position + 1
            var entry: [String: YAMLValue] = ["type": .string("physical"), "name": .string("eth\(max(0, index - 1))")]
            if let mac = nic["mac"]?.stringValue { entry["mac_address"] = .string(mac) }
            let addresses = nic["ip_addresses"]?.arrayValue ?? []
            entry["subnets"] = .list(addresses.compactMap { $0.objectValue.map { .map(subnet($0, globalDNS: dns)) } })
            config.append(.map(entry))
        }
        if !dns.isEmpty {
            config.append(.map(["type": .string("nameserver"), "address": .list(dns.map(YAMLValue.string))]))
        }
        return NetworkDescription.fromCloudInitNetworkConfig(.map(["version": .int(1), "config": .list(config)]))
    }

    private static func subnet(_ address: [String: JSONValue], globalDNS: [String]) -> [String: YAMLValue] {
        let isIPv6 = address["family"]?.stringValue == "IPv6"
        if address["dhcp"] == .bool(true) {
            return ["type": .string(isIPv6 ? "ipv6_dhcpv6-stateless" : "dhcp")]
        }
        var subnet: [String: YAMLValue] = ["type": .string(isIPv6 ? "static6" : "static")]
        if let text = address["address"]?.stringValue { subnet["address"] = .string(text) }
        if let gateway = address["gateway"]?.stringValue, !gateway.isEmpty { subnet["gateway"] = .string(gateway) }
        if let network = address["network"]?.stringValue, let slash = network.firstIndex(of: "/") {
            subnet["netmask"] = .string(String(network[network.index(after: slash)...]))
        }
        let dns = address["dns"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !dns.isEmpty && dns != globalDNS { subnet["dns_nameservers"] = .list(dns.map(YAMLValue.string)) }
        return subnet
    }
}
