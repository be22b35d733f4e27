import AgentBase
import FoundationEssentials

/// cloud-config `ca_certs` (and the older spelling `ca-certs`; cloud-init's cc_ca_certs):
/// `trusted`, a list of PEM certificates (an entry may hold several), and `remove_defaults`
/// (also `remove-defaults`).
struct CACertsConfig: Sendable, Equatable {
    var trusted: [String] = []
    var removeDefaults = false

    static func read(_ value: YAMLValue, key: String) throws -> CACertsConfig {
        guard case .map(let map) = value else { throw CloudConfigError.type(key, "a mapping") }
        let allowed: Set<String> = ["trusted", "remove_defaults", "remove-defaults"]
        if let extra = map.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw CloudConfigError.type(
                key, "a mapping of trusted and remove_defaults, not '\(TextPreview.line(extra))'")
        }
        // The schema's minProperties and minItems: an empty mapping or list says nothing.
        guard !map.isEmpty else { throw CloudConfigError.type(key, "a mapping with trusted or remove_defaults") }
        if case .list(let items)? = map["trusted"], items.isEmpty {
            throw CloudConfigError.type("\(key).trusted", "a non-empty list of PEM certificates")
        }
        var config = CACertsConfig()
        config.removeDefaults =
            try SystemKeys.boolean(map["remove_defaults"], "\(key).remove_defaults")
            ?? SystemKeys.boolean(map["remove-defaults"], "\(key).remove-defaults") ?? false
        config.trusted = try CloudConfig.strings(map["trusted"], "\(key).trusted").enumerated().map { index, text in
            guard let pem = PEMCertificates.normalized(text) else {
                throw CloudConfigError.type(
                    "\(key).trusted[\(index)]", "PEM certificates (-----BEGIN CERTIFICATE----- ...)")
            }
            return pem
        }
        return config
    }
}

/// Checks that a text is one or more PEM certificates and nothing else.
enum PEMCertificates {
    static let begin = "-----BEGIN CERTIFICATE-----"
    static let end = "-----END CERTIFICATE-----"

    /// The certificates, each block's lines trimmed, with one newline at the end; nil when the
    /// text holds anything but blank lines and complete blocks whose base64 decodes to a DER
    /// SEQUENCE. Why strict: the file goes into the system's trust store, where a half
    /// certificate is silently skipped by update-ca-certificates and the user never learns it.
    static func normalized(_ text: String) -> String? {
        var output: [String] = []
        var body: String?
        var count = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingWhitespace()
            if var current = body {
                if line == end {
                    guard let der = Data(base64Encoded: current), der.count > 16, der.first == 0x30 else { return nil }
                    output.append(line)
                    body = nil
                    count += 1
                } else {
                    guard !line.isEmpty, line.utf8.allSatisfy({ Self.isBase64($0) }) else { return nil }
                    current += line
                    body = current
                    output.append(line)
                }
            } else if line == begin {
                body = ""
                output.append(line)
            } else if !line.isEmpty {
                return nil
            }
        }
        guard body == nil, count > 0 else { return nil }
        return output.joined(separator: "\n") + "\n"
    }

    private static func isBase64(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }
}
