import AgentBase
import FoundationEssentials

/// Vultr's network as a cloud-init network config version 1, converted by the agent's own
/// v1 converter (as DigitalOcean's is), from `v1.json` as cloud-init reads it
/// (DataSourceVultr `get_datasource_data`, helpers/vultr.py).
///
/// `cloud_interfaces` (cloud-init 23.1 and later), when the document has it, is Vultr's own
/// network config v1, used as it is; its physical entries carry `mac_address` and no
/// `name`: cloud-init's `add_interface_names` fills in the system's name of that MAC, and so
/// does the agent (`SystemInterfaceNames`), matching it by MAC.
///
/// Else `interfaces`, as `generate_network_config`: Vultr's two name servers (108.61.10.10,
/// 2001:19f0:300:1704::6) as the global ones; the first interface is the public one,
/// configured by DHCPv4 and SLAAC with `accept-ra` on; every other one not marked
/// `unconfigured` gets its static `ipv4.address`/`netmask`; each keeps its `mtu`,
/// `accept-ra` and `routes` (on its first subnet), and gets its `ipv4.additional` addresses
/// (static) and `ipv6.additional` networks (`network/prefix`, static6). Each link is named
/// after the guest's interface with its MAC, as cloud-init's `get_interface_name` names it
/// (so no NIC is renamed). Departure: a MAC the guest does not have (cloud-init then fails
/// the whole source) gets `eth<position>`; nothing matches it and the network plugin says so.
enum VultrNetwork {
    static let nameServers = ["108.61.10.10", "2001:19f0:300:1704::6"]

    /// Nil when the document has neither a `cloud_interfaces` config nor an `interfaces`
    /// list; else the converted network, or `.invalid` naming the entry and field that
    /// cannot be used.
    /// `names`: the guest's interface names by MAC (`SystemInterfaceNames`).
    static func description(interfaces: JSONValue?, cloudInterfaces: JSONValue? = nil, names: [String: String] = [:])
        -> NetworkDescription?
    {
        if let cloudInterfaces, cloudInterfaces != .null {
            return NetworkDescription.fromCloudInitNetworkConfig(named(CloudJSON.yaml(cloudInterfaces), names: names))
        }
        guard let interfaces = interfaces?.arrayValue, !interfaces.isEmpty else { return nil }
        var config: [YAMLValue] = [
            .map(["type": .string("nameserver"), "address": .list(nameServers.map(YAMLValue.string))])
        ]
        for (position, raw) in interfaces.enumerated() {
            guard let nic = raw.objectValue else { continue }
            if position > 0, nic["unconfigured"] == .bool(true) { continue }
            config.append(.map(link(nic, position: position, names: names)))
        }
        return NetworkDescription.fromCloudInitNetworkConfig(.map(["version": .int(1), "config": .list(config)]))
    }

    /// `cloud_interfaces` with a `name` on each physical entry that has none: the guest's
    /// interface with its `mac_address`, else `eth<position among the physical entries>`;
    /// anything that is not a v1 mapping is left to the converter to name.
    static func named(_ config: YAMLValue, names: [String: String]) -> YAMLValue {
        guard case .map(var document) = config, case .list(let entries)? = document["config"] else { return config }
        var position = 0
        document["config"] = .list(
            entries.map { entry in
                guard case .map(var fields) = entry, fields["type"] == .string("physical") else { return entry }
                if fields["name"] == nil { fields["name"] = .string(name(fields["mac_address"], position, names)) }
                position += 1
                return .map(fields)
            })
        return .map(document)
    }

    /// The guest's name for `mac`, else `eth<position>`.
    private static func name(_ mac: YAMLValue?, _ position: Int, _ names: [String: String]) -> String {
        guard case .string(let text)? = mac, let normalized = MACAddress.normalize(text), let name = names[normalized]
        else { return "eth\(position)" }
        return name
    }

    private static func link(_ nic: [String: JSONValue], position: Int, names: [String: String]) -> [String: YAMLValue]
    {
        let mac = nic["mac"]?.stringValue
        var entry: [String: YAMLValue] = [
            "type": .string("physical"), "name": .string(name(mac.map(YAMLValue.string), position, names)),
        ]
        if let mac { entry["mac_address"] = .string(mac) }
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
