import AgentBase
import DataSources
import FoundationEssentials
import Logging
import PasswordCrypto

/// One configuration key of a settings group: its name, one line of help, how the group's
/// value is written (agent.conf.sample shows `show(Group())`: the default is the group's
/// initial value, declared once) and how a value from agent.conf is applied.
struct SettingKey<Group>: Sendable {
    let name: String
    let help: String
    let show: @Sendable (Group) -> String
    let apply: @Sendable (inout Group, String) throws -> Void
}

/// One plugin's (or the runtime's) settings: a typed value whose initial values are the
/// defaults, and the keys that set it. `AgentConfig` holds one of each; a plugin reads its own.
protocol SettingsGroup: Sendable, Equatable {
    init()
    /// The heading of the group in agent.conf.sample.
    static var title: String { get }
    static var keys: [SettingKey<Self>] { get }
}

/// A key of `AgentConfig`, lifted from its group's `SettingKey`.
struct ConfigKey: Sendable {
    let name: String
    let defaultValue: String
    let help: String
    let apply: @Sendable (inout AgentConfig, String) throws -> Void

    init<Group: SettingsGroup>(_ key: SettingKey<Group>, at path: WritableKeyPath<AgentConfig, Group> & Sendable) {
        name = key.name
        help = key.help
        defaultValue = key.show(Group())
        apply = { config, value in try key.apply(&config[keyPath: path], value) }
    }
}

/// Every key the agent accepts in `[DEFAULT]`, assembled from the settings groups.
/// agent.conf.sample is generated from this table (`guest-agent sample-config`), and a test
/// keeps the committed file in step.
enum ConfigSchema {
    /// The groups in the order agent.conf.sample lists them, each with its heading.
    static let groups: [(title: String, keys: [ConfigKey])] = [
        group(\.sources), group(\.run), group(\.account), group(\.hostname), group(\.network),
        group(\.resize), group(\.hostKeys), group(\.password), group(\.sshKeys), group(\.userData),
    ]

    static let keys: [ConfigKey] = groups.flatMap(\.keys)

    private static func group<Group: SettingsGroup>(_ path: WritableKeyPath<AgentConfig, Group> & Sendable)
        -> (title: String, keys: [ConfigKey])
    {
        (Group.title, Group.keys.map { ConfigKey($0, at: path) })
    }

    /// A list as agent.conf writes it.
    static func show(_ items: [String]) -> String { items.joined(separator: ", ") }

    /// Seconds as agent.conf writes them: `2`, `0.5`.
    static func show(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : "\(seconds)"
    }

    /// The text of agent.conf.sample: every key, its default, one line of explanation.
    static func sampleText() -> String {
        var text = "# guest-agent configuration (INI). Default path: /etc/guest-agent/agent.conf\n"
        text += "# Lists are comma-separated; '#' and ';' start comments. Values shown are the defaults.\n\n[DEFAULT]\n"
        for group in groups {
            text += "# --- \(group.title) ---\n\n"
            for key in group.keys {
                text += "# \(key.help)\n\(key.name) = \(key.defaultValue)\n\n"
            }
        }
        return text
    }

    // MARK: value parsers

    static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    static func ids(_ value: String, known: [String]) throws -> [String] {
        let items = list(value)
        let unknown = items.filter { !known.contains($0) }
        guard unknown.isEmpty else { throw ConfigValueError.unknownIDs(unknown, known: known) }
        return items
    }

    static func boolean(_ value: String) throws -> Bool {
        switch value.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigValueError.expected("true or false")
        }
    }

    static func integer(_ value: String, in range: ClosedRange<Int>) throws -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw ConfigValueError.expected("a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func seconds(_ value: String, in range: ClosedRange<Double>) throws -> Double {
        guard let number = Double(value), number.isFinite, range.contains(number) else {
            throw ConfigValueError.expected("seconds from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func url(_ value: String) throws -> URL {
        guard let url = URL(string: value), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ConfigValueError.expected("an http:// or https:// URL")
        }
        return url
    }

    /// A path the agent resolves under the root: exactly `SystemRoot.problem(with:)`'s
    /// rule, so a value accepted here can never fail (or trap) when it is used.
    static func guestPath(_ value: String) throws -> String {
        if let problem = SystemRoot.problem(with: value) {
            throw ConfigValueError.expected("an absolute path without '.' or '..' components, but \(problem)")
        }
        return value
    }

    /// A comma-separated list of `guestPath`s; the first bad entry is named.
    static func guestPaths(_ value: String) throws -> [String] {
        let paths = list(value)
        for (index, path) in paths.enumerated() {
            if let problem = SystemRoot.problem(with: path) {
                throw ConfigValueError.expected(
                    "absolute paths without '.' or '..' components, but entry \(index + 1) ('\(TextPreview.line(path))') is refused: \(problem)"
                )
            }
        }
        return paths
    }

    static func nonEmptyList(_ items: [String]) throws -> [String] {
        guard !items.isEmpty else { throw ConfigValueError.expected("at least one entry") }
        return items
    }

    /// A non-empty list of `choice` values without repeats, the first bad one named.
    static func choices<Value: RawRepresentable & CaseIterable & Equatable>(_ value: String) throws -> [Value]
    where Value.RawValue == String {
        let all = Value.allCases.map(\.rawValue).joined(separator: ", ")
        var parsed: [Value] = []
        for item in try nonEmptyList(list(value)) {
            guard let choice = Value(rawValue: item) else {
                throw ConfigValueError.expected("a list of \(all), but '\(TextPreview.line(item))' is none of them")
            }
            guard !parsed.contains(choice) else {
                throw ConfigValueError.expected("each of \(all) at most once, but '\(item)' is repeated")
            }
            parsed.append(choice)
        }
        return parsed
    }

    static func nonEmpty(_ value: String) throws -> String {
        guard !value.isEmpty else { throw ConfigValueError.expected("a non-empty value") }
        return value
    }

    /// A value of a setting with a fixed set of values, parsed once here: the code after
    /// the configuration never sees a string it would have to fall back from.
    static func choice<Value: RawRepresentable & CaseIterable>(_ value: String) throws -> Value
    where Value.RawValue == String {
        guard let parsed = Value(rawValue: value) else {
            throw ConfigValueError.expected("one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }
}
