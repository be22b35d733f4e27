import AgentBase

/// The network inputs of NoCloud and the config drive's `network_config` besides
/// `network_data.json`: cloud-init's network config (version 1 or 2) and ifupdown ENI text.
extension NetworkDescription {
    /// A cloud-init network config, as `YAMLParser.parse` read it (JSON is YAML, so a JSON
    /// network-config goes through the same parser), with or without the top-level
    /// `network:` key.
    ///
    /// - Returns: nil when it configures nothing: no document, an empty mapping, `config:
    ///   disabled`, an empty v1 `config:` list or a v2 document without devices. Otherwise a
    ///   validated `.configuration`, or `.invalid` naming the entry and field that cannot be
    ///   used (a missing or unknown `version` too). Never throws: a broken network config
    ///   fails only the network plugin.
    public static func fromCloudInitNetworkConfig(_ value: YAMLValue) -> NetworkDescription? {
        makeOptional { try CloudInitNetworkConfig.convert(value) }
    }

    /// ifupdown `interfaces(5)` text: Proxmox's config drive (`network_config.content_path`
    /// in meta_data.json) and NoCloud's legacy `network-interfaces` meta-data key.
    ///
    /// - Returns: nil when the text configures nothing but the loopback; otherwise a
    ///   validated `.configuration` (interfaces without `hwaddress` matched by name), or
    ///   `.invalid` naming the stanza, its line and the option.
    public static func fromENI(_ text: String) -> NetworkDescription? {
        makeOptional { try ENIConverter.convert(text) }
    }

    /// `make` for converters that may find nothing to configure (nil).
    static func makeOptional(_ build: () throws -> NetworkConfiguration?) -> NetworkDescription? {
        var empty = false
        let description = make {
            guard let config = try build() else {
                empty = true
                return NetworkConfiguration(links: [], networks: [])
            }
            return config
        }
        return empty ? nil : description
    }
}
