import AgentBase
import FoundationEssentials

/// Vultr's network as a cloud-init network config version 1, converted by the agent's own
/// v1 converter (as DigitalOcean's is), from `v1.json` as cloud-init reads it
/// (DataSourceVultr `get_datasource_data`, helpers/vultr.py).
///
/// `cloud_interfaces` (cloud-init 23.1 and later), when the document has it, is Vultr's own
/// network config v1, used as it is; its physical entries carry `mac_address` and no
/// `name` (cloud-init's `add_interface_names` fills in the system's name of that MAC): the
/// agent names each `eth<position>` and matches it by MAC.
///
/// Else `interfaces`, as `generate_network_config`: Vultr's two name servers (108.61.10.10,
/// 2001:19f0:300:1704::6) as the global ones; the first interface is the public one,
/// configured by DHCPv4 and SLAAC with `accept-ra` on; every other one not marked
/// `unconfigured` gets its static `ipv4.address`/`netmask`; each keeps its `mtu`,
/// `accept-ra` and `routes` (on its first subnet), and gets its `ipv4.additional` addresses
/// (static) and `ipv6.additional` networks (`network/prefix`, static6). Departure: cloud-init
/// names each link after the running system's interface with its MAC, the agent
/// `eth<position>` (the network plugin matches it by MAC).
enum VultrNetwork {
    static let nameServers = ["108.61.10.10", "2001:19f0:300:1704::6"]

    /// Nil when the document has neither a `cloud_interfaces` config nor an `interfaces`
    /// list; else the converted network, or `.invalid` naming the entry and field that
    /// cannot be used.
    static func description(interfaces: JSONValue?, cloudInterfaces: JSONValue? = nil) -> NetworkDescription? {
        if let cloudInterfaces, cloudInterfaces != .null {
            return NetworkDescription.fromCloudInitNetworkConfig(named(CloudJSON.yaml(cloudInterfaces)))
        }
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

    /// `cloud_interfaces` with a `name` (`eth<position among the physical entries>`) on each
    /// physical entry that has none; anything that is not a v1 mapping is left to the
    /// converter to name.
    static func named(_ config: YAMLValue) -> YAMLValue {
        guard case .map(var document) = config, case .list(let entries)? = document["config"] else { return config }
        var position = 0
        document["config"] = .list(
            entries.map { entry in
                guard case .map(var fields) = entry, fields["type"] == .string("physical") else { return entry }
                if fields["name"] == nil { fields["name"] = .string("eth\(position)") }
                position += 1
                return .map(fields)
            })
        return .map(document)
    }

    private static func link(_ nic: [String: JSONValue], position: Int) -> [String: YAMLValue] {
        var entry: [String: YAMLValue] = ["type": .string("physical"), "name": .string("eth\(position)")]
        if let mac = nic["mac"]?.stringValue { entry["mac_address"] = .string(mac) }
        if let mtu = nic["mtu"]?.wholeNumber { entry["mtu"] = .int(mtu) }
        let ipv4 = nic["ipv4"]?.objectValue ?? [:]
        var subnets: [[String: YAMLValue]]
        if position == 0 {
            // cloud-init's primary interface: `accept-ra: 1`, which the interface's own value overrides.
            entry["accept-ra"] = .bool(true)
            subnets = [["type": .string("dhcp")], ["type": .string("ipv6_slaac")]]
        } else {
            var own: [String: YAMLValue] = ["type": .string("static")]
            if let address = ipv4["address"]?.stringValue { own["address"] = .string(address) }
            if let netmask = ipv4["netmask"]?.stringValue { own["netmask"] = .string(netmask) }
            subnets = [own]
        }
        if let acceptRA = nic["accept-ra"]?.wholeNumber { entry["accept-ra"] = .bool(acceptRA != 0) }
        if let routes = nic["routes"] { subnets[0]["routes"] = CloudJSON.yaml(routes) }
        for extra in ipv4["additional"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
            var subnet: [String: YAMLValue] = ["type": .string("static")]
            if let address = extra["address"]?.stringValue { subnet["address"] = .string(address) }
            if let netmask = extra["netmask"]?.stringValue { subnet["netmask"] = .string(netmask) }
            if let routes = extra["routes"] { subnet["routes"] = CloudJSON.yaml(routes) }
            subnets.append(subnet)
        }
        let ipv6 = nic["ipv6"]?.objectValue ?? [:]
        for extra in ipv6["additional"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
            let network = extra["network"]?.stringValue ?? ""
            let prefix = CloudJSON.identifier(extra["prefix"]) ?? ""
            var subnet: [String: YAMLValue] = ["type": .string("static6"), "address": .string("\(network)/\(prefix)")]
            if let routes = extra["routes"] { subnet["routes"] = CloudJSON.yaml(routes) }
            subnets.append(subnet)
        }
        entry["subnets"] = .list(subnets.map(YAMLValue.map))
        return entry
    }
}
