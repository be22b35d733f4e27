import AgentBase

/// The envelope of a cloud-init network config: the optional `network:` key, `config:
/// disabled`, and `version`.
enum CloudInitNetworkConfig {
    static func convert(_ value: YAMLValue) throws -> NetworkConfiguration? {
        let place = ConfigPlace(NetworkConfigV1Converter.subject, "")
        guard case .map(let document) = value else {
            if value == .null { return nil }
            throw place.error("not a mapping")
        }
        var body = document
        if let network = document["network"] {
            guard case .map(let inner) = network else {
                if network == .null { return nil }
                throw place.appending("network").error("not a mapping")
            }
            body = inner
        }
        guard !body.isEmpty else { return nil }
        if case .string(let text)? = body["config"], text.trimmingWhitespace() == "disabled" { return nil }
        switch body["version"] {
        case .int(1)?, .string("1")?: return try NetworkConfigV1Converter.convert(body)
        case .int(2)?, .string("2")?: return try NetworkConfigV2Converter.convert(body)
        case nil: throw place.appending("version").error("missing (1 or 2)")
        case let other?: throw place.appending("version").error("'\(NetworkText.preview(other.text))' is not 1 or 2")
        }
    }
}
