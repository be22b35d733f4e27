import AgentBase
import FoundationEssentials

/// Vultr's `interfaces` as a cloud-init network config version 1, converted by the agent's
/// own v1 converter (as DigitalOcean's is).
///
/// What carries over from cloud-init's `generate_network_config` (helpers/vultr.py): Vultr's
/// two name servers (108.61.10.10, 2001:19f0:300:1704::6) as the global ones; the first
/// interface is the public one, configured by DHCPv4 and SLAAC; every other one not marked
/// `unconfigured` gets its static `ipv4.address`/`netmask`; each keeps its `mtu` and `routes`
/// (on its first subnet), and gets its `ipv4.additional` addresses (static) and
/// `ipv6.additional` networks (`network/prefix`, static6). Departures: cloud-init names each
/// link after the running system's interface with its MAC, the agent `eth<position>` (the
/// network plugin matches it by MAC); Vultr's own `cloud_interfaces` config is not read.
enum VultrNetwork {
    static let nameServers = ["108.61.10.10", "2001:19f0:300:1704::6"]

    /// Nil when the document has no `interfaces` list; else the converted network, or
    /// `.invalid` naming the entry and field that cannot be used.
    static func description(interfaces: JSONValue?) -> NetworkDescription? {
        guard let interfaces = interfaces?.arrayValue, !interfaces.isEmpty else { return nil }
        var config: [YAMLValue] = [
            .map(["type": .string("nameserver"), "address": .list(nameServers.map(YAMLValue.string))])
        ]
        for (position, raw) in interfaces.enumerated() {
            guard let nic = raw.objectValue else { continue }
            if position > 0, nic["unconfigured"] == .bool(true) { continue }
            config.append(.map(link(nic, position: position)))
        }
        return NetworkDescription.fromCloudInitNetworkConfig(.map(["version": .int(1), "config": .list(config)]))
    }

    private static func link(_ nic: [String: JSONValue], position: Int) -> [String: YAMLValue] {
        var entry: [String: YAMLValue] = ["type": .string("physical"), "name": .string("eth\(position)")]
        if let mac = nic["mac"]?.stringValue { entry["mac_address"] = .string(mac) }
        if let mtu = nic["mtu"]?.wholeNumber { entry["mtu"] = .int(mtu) }
        let ipv4 = nic["ipv4"]?.objectValue ?? [:]
        var subnets: [[String: YAMLValue]]
        if position == 0 {
            subnets = [["type": .string("dhcp")], ["type": .string("ipv6_slaac")]]
        } else {
            var own: [String: YAMLValue] = ["type": .string("static")]
            if let address = ipv4["address"]?.stringValue { own["address"] = .string(address) }
            if let netmask = ipv4["netmask"]?.stringValue { own["netmask"] = .string(netmask) }
            subnets = [own]
        }
        if let routes = nic["routes"] { subnets[0]["routes"] = yaml(routes) }
        for extra in ipv4["additional"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
            var subnet: [String: YAMLValue] = ["type": .string("static")]
            if let address = extra["address"]?.stringValue { subnet["address"] = .string(address) }
            if let netmask = extra["netmask"]?.stringValue { subnet["netmask"] = .string(netmask) }
            if let routes = extra["routes"] { subnet["routes"] = yaml(routes) }
            subnets.append(subnet)
        }
        let ipv6 = nic["ipv6"]?.objectValue ?? [:]
        for extra in ipv6["additional"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
            let network = extra["network"]?.stringValue ?? ""
            let prefix = CloudJSON.identifier(extra["prefix"]) ?? ""
            var subnet: [String: YAMLValue] = ["type": .string("static6"), "address": .string("\(network)/\(prefix)")]
            if let routes = extra["routes"] { subnet["routes"] = yaml(routes) }
            subnets.append(subnet)
        }
        entry["subnets"] = .list(subnets.map(YAMLValue.map))
        return entry
    }

    /// A JSON value as the YAML value the v1 converter reads (routes: a list of mappings).
    private static func yaml(_ value: JSONValue) -> YAMLValue {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number): Int(exactly: number).map(YAMLValue.int) ?? .double(number)
        case .string(let text): .string(text)
        case .array(let items): .list(items.map(yaml))
        case .object(let members): .map(members.mapValues(yaml))
        }
    }
}
