import AgentBase
import DataSources

/// Turns the cloud's host name into a safe one, or says exactly why it cannot.
///
/// Metadata is untrusted: a value with shell metacharacters, newlines or absurd length
/// must never reach a file or a command. Only RFC 1123 labels pass.
public enum HostnameValidator {
    public struct Result: Sendable, Equatable {
        /// First DNS label, possibly cut to 15 characters (NetBIOS).
        public var shortName: String
        /// The whole validated name when it had more than one label, else nil.
        public var fqdn: String?
    }

    /// Validates `raw` (a host name or FQDN). `netbios` cuts the short name to 15 characters.
    public static func validate(_ raw: String, netbios: Bool = false) throws -> Result {
        let trimmed = raw.hasSuffix(".") ? String(raw.dropLast()) : raw
        guard !trimmed.isEmpty else { throw HostnameError.invalid(raw, "it is empty") }
        guard trimmed.utf8.count <= 253 else {
            throw HostnameError.invalid(preview(raw), "it is longer than 253 characters")
        }
        let labels = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            if let problem = labelProblem(label) { throw HostnameError.invalid(preview(raw), problem) }
        }
        var short = String(labels[0])
        if netbios && short.count > 15 {
            short = String(short.prefix(15))
            while short.hasSuffix("-") { short.removeLast() }
        }
        return Result(shortName: short, fqdn: labels.count > 1 ? trimmed : nil)
    }

    static func labelProblem(_ label: Substring) -> String? {
        if label.isEmpty { return "it has an empty label" }
        if label.utf8.count > 63 { return "label '\(preview(String(label)))' is longer than 63 characters" }
        if let bad = label.unicodeScalars.first(where: {
            !($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-"))
        }) {
            return "it contains the character \(describe(bad)) (only letters, digits and '-' are allowed)"
        }
        if label.hasPrefix("-") || label.hasSuffix("-") { return "label '\(label)' starts or ends with '-'" }
        return nil
    }

    /// A printable, bounded rendering of untrusted text for error messages.
    static func preview(_ text: String) -> String {
        TextPreview.line(text, limit: 64, asciiOnly: true)
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        scalar.value >= 0x20 && scalar.value < 0x7F
            ? "'\(scalar)'" : "U+\(PlainFormat.upperHex(scalar.value, width: 4))"
    }
}

public enum HostnameError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)
    public var description: String {
        switch self {
        case .invalid(let name, let why): "refusing host name '\(name)': \(why)"
        }
    }
}
