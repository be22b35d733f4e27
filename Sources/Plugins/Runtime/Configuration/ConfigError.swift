import AgentBase
import DataSources

/// A configuration or usage error: the agent stops with exit code 64 and this message,
/// which names the file, the line and the key.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case syntax(file: String, line: Int, text: String)
    case duplicateKey(file: String, line: Int, key: String, firstLine: Int)
    case unknownSection(file: String, line: Int, section: String)
    case unknownKey(file: String, line: Int, section: String, key: String)
    case badValue(file: String, line: Int, key: String, value: String, expected: String)
    case unknownIDs(file: String, line: Int, key: String, ids: [String], known: [String])
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case .syntax(let file, let line, let text):
            "\(file):\(line): cannot parse '\(text)' (expected 'key = value', '[section]' or a comment)"
        case .duplicateKey(let file, let line, let key, let first):
            "\(file):\(line): key '\(key)' already set on line \(first)"
        case .unknownSection(let file, let line, let section):
            "\(file):\(line): unknown section [\(section)]"
        case .unknownKey(let file, let line, let section, let key):
            "\(file):\(line): unknown key '\(key)' in [\(section)]"
        case .badValue(let file, let line, let key, let value, let expected):
            "\(file):\(line): \(key) = '\(TextPreview.line(value))' is not valid: expected \(expected)"
        case .unknownIDs(let file, let line, let key, let ids, let known):
            "\(file):\(line): \(key) names unknown id(s) \(ids.joined(separator: ", ")) (known: \(known.joined(separator: ", ")))"
                + Self.plannedNote(key: key, ids: ids)
        case .unreadable(let file, let reason):
            "\(file): \(reason)"
        }
    }

    /// Why a documented plugin id is refused: it is reserved in the contract but its plugin is
    /// not in this version, and silently skipping it would leave the instance half-configured.
    private static func plannedNote(key: String, ids: [String]) -> String {
        let planned = ids.filter(PluginRegistry.plannedIDs.contains)
        guard key == "plugins", !planned.isEmpty else { return "" }
        return "; \(planned.joined(separator: ", ")): reserved for a plugin this version does not have yet"
    }
}
