import AgentBase
import FoundationEssentials

/// IMDS's `network.interface[]` as the network config version 2 cloud-init 22.4.2's
/// `generate_network_config_from_instance_network_metadata` builds, converted by the agent's
/// own v2 converter: each interface with at least one IPv4 or IPv6 address becomes
/// `eth<position>`, matched by its MAC (`macAddress`, 12 hex digits without separators),
/// with DHCPv4 (and DHCPv6 when it has IPv6 addresses); every address after the first of a
/// family is a static address with the prefix of the family's first subnet (24 for IPv4,
/// 128 for IPv6 when not given). Departures: cloud-init's `dhcp4-overrides` route metric
/// (100 per position) and its `match: driver: hv_netvsc` (read from the running system) are
/// not written.
enum AzureNetwork {
    /// Nil when there is no interface list or no interface with an address.
    static func description(_ interfaces: JSONValue?) -> NetworkDescription? {
        guard let interfaces = interfaces?.arrayValue, !interfaces.isEmpty else { return nil }
        var ethernets: [String: YAMLValue] = [:]
        for (position, raw) in interfaces.enumerated() {
            guard let nic = raw.objectValue else { continue }
            let name = "eth\(position)"
            var device: [String: YAMLValue] = ["dhcp4": .bool(true), "dhcp6": .bool(false)]
            var addresses: [YAMLValue] = []
            var hasAddress = false
            for (family, defaultPrefix) in [("ipv4", "24"), ("ipv6", "128")] {
                let section = nic[family]?.objectValue ?? [:]
                let entries = section["ipAddress"]?.arrayValue ?? []
                guard !entries.isEmpty else { continue }
                hasAddress = true
                if family == "ipv6" { device["dhcp6"] = .bool(true) }
                let prefix =
                    section["subnet"]?.arrayValue?.first?.objectValue.flatMap { CloudJSON.identifier($0["prefix"]) }
                    ?? defaultPrefix
                for entry in entries.dropFirst() {
                    guard let address = entry.objectValue?["privateIpAddress"]?.stringValue else { continue }
                    addresses.append(.string("\(address)/\(prefix)"))
                }
            }
            guard hasAddress else { continue }
            if !addresses.isEmpty { device["addresses"] = .list(addresses) }
            if let mac = nic["macAddress"]?.stringValue {
                device["match"] = .map(["macaddress": .string(Self.mac(mac))])
            }
            device["set-name"] = .string(name)
            ethernets[name] = .map(device)
        }
        guard !ethernets.isEmpty else { return nil }
        return NetworkDescription.fromCloudInitNetworkConfig(
            .map(["version": .int(2), "ethernets": .map(ethernets)]))
    }

    /// `000D3A047598` as `00:0d:3a:04:75:98` (cloud-init's `normalize_mac_address`, lower
    /// case as its match writes it); any other form is passed on for the converter to judge.
    static func mac(_ text: String) -> String {
        let digits = text.lowercased()
        guard digits.count == 12, digits.allSatisfy(\.isHexDigit) else { return digits }
        var pairs: [String] = []
        var rest = Substring(digits)
        while !rest.isEmpty {
            pairs.append(String(rest.prefix(2)))
            rest = rest.dropFirst(2)
        }
        return pairs.joined(separator: ":")
    }
}
