import FoundationEssentials

/// A YAML document's value tree: what `YAMLParser` reads and the cloud-config reader types.
/// Mapping keys are kept as their text (cloud-config keys are names); scalars are typed the
/// way PyYAML (YAML 1.1, which cloud-init uses) types them, see `YAMLScalarResolver`.
public enum YAMLValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    /// A `!!binary` scalar: the bytes its base64 text encodes (PyYAML gives `bytes`).
    case binary(Data)
    case list([YAMLValue])
    case map([String: YAMLValue])

    /// The scalar as text ("5", "true"), for values that are only listed, never applied.
    public var text: String {
        switch self {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .double(let number): "\(number)"
        case .string(let text): text
        case .binary(let bytes): "<\(bytes.count) bytes>"
        case .list(let items): "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .map(let entries): "{" + entries.keys.sorted().joined(separator: ", ") + "}"
        }
    }
}

/// Invalid or refused YAML: where (1-based line and column, in Unicode scalars) and what.
/// Never quotes the document's text (user data may hold secrets), only short key names.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var problem: String

    public var description: String { "line \(line), column \(column): \(problem)" }
}

extension YAMLValue {
    public var isList: Bool {
        if case .list = self { return true }
        return false
    }
}
