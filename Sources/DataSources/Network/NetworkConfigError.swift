/// Why a network description cannot be used. Names where (`link 'tap1'`, `network
/// 'network0'`, `services[2]`), the field and what is wrong, so an operator can find it in
/// the metadata. Any one of these means nothing is written.
public struct NetworkConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `link 'id'`, `network 'id'`, `services[n]`, or the document itself.
    public var subject: String
    public var field: String
    public var reason: String

    public init(_ subject: String, field: String, _ reason: String) {
        self.subject = subject
        self.field = field
        self.reason = reason
    }

    public static func link(_ id: String, _ field: String, _ reason: String) -> NetworkConfigError {
        NetworkConfigError("link '\(NetworkText.preview(id))'", field: field, reason)
    }

    public static func network(_ id: String, _ field: String, _ reason: String) -> NetworkConfigError {
        NetworkConfigError("network '\(NetworkText.preview(id))'", field: field, reason)
    }

    public var description: String { "\(subject), field '\(field)': \(reason)" }
}

/// Shortening and quoting of metadata text for messages.
public enum NetworkText {
    /// At most 64 characters, control characters shown as `?`, so a hostile id cannot flood
    /// or forge log lines.
    public static func preview(_ text: String) -> String {
        let cleaned = String(
            text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return cleaned.count > 64 ? String(cleaned.prefix(64)) + "..." : cleaned
    }
}
