import AgentBase
import FoundationEssentials

/// Hetzner's `metadata/private-networks`: a YAML list of the server's attachments to private
/// networks (`mac_address`, `ip`, `interface_num`, ...). As cloud-init's DataSourceHetzner
/// does, each becomes a physical link configured by DHCPv4, added to the metadata's own
/// network config. Departure: cloud-init names the link after the running system's interface
/// with that MAC; the agent names it `eth<interface_num>` (the network plugin matches it by
/// MAC and renders the guest's own name).
struct HetznerPrivateNetworks {
    /// One v1 `physical` entry per attachment with a MAC.
    var links: [YAMLValue]

    /// Reads the list; `location` names the document in errors. An entry without a string
    /// `mac_address` is left out: it names no interface.
    init(_ data: Data, location: String) throws {
        let value = try HetznerDocument.yaml(data, location: location)
        guard case .list(let entries)? = value else {
            if value == nil || value == .null {
                links = []
                return
            }
            throw DataSourceError.malformedDocument(location: location, reason: "top level is not a list")
        }
        links = entries.enumerated().compactMap { position, entry in
            guard case .map(let network) = entry, case .string(let mac)? = network["mac_address"] else { return nil }
            let number: Int = if case .int(let value)? = network["interface_num"] { value } else { position + 1 }
            return .map([
                "type": .string("physical"), "name": .string("eth\(number)"), "mac_address": .string(mac),
                "subnets": .list([.map(["type": .string("dhcp")])]),
            ])
        }
    }

    /// `networkConfig` (the metadata's v1 config) with these links added to its `config`; a
    /// config of another shape is returned as it is, for the converter to name.
    func appended(to networkConfig: YAMLValue?) -> YAMLValue? {
        guard let networkConfig else {
            return .map(["version": .int(1), "config": .list(links)])
        }
        guard case .map(var body) = networkConfig, case .list(let config)? = body["config"] else {
            return networkConfig
        }
        body["config"] = .list(config + links)
        return .map(body)
    }
}
