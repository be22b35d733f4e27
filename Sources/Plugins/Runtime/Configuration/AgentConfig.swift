import DataSources
import FoundationEssentials
import Logging
import PasswordCrypto

/// The agent's typed, validated configuration: one settings value per plugin (and for the
/// runtime and the sources), each with its own defaults (`SettingsGroup`). Key names follow
/// cloudbase-init's where the meaning is the same.
public struct AgentConfig: Sendable, Equatable {
    public var sources = SourcesConfig()
    public var run = RunConfig()
    public var account = AccountConfig()
    public var hostname = HostnameConfig()
    public var network = NetworkConfig()
    public var resize = ResizeConfig()
    public var hostKeys = HostKeysConfig()
    public var password = PasswordConfig()
    public var sshKeys = SSHKeysConfig()
    public var userData = UserDataConfig()

    public init() {}

    /// The default configuration file.
    public static let defaultPath = "/etc/guest-agent/agent.conf"

    /// Parses and validates INI text. Every problem is a `ConfigError` naming file, line, key.
    public init(text: String, file: String) throws {
        self.init()
        let document = try INIDocument(text: text, file: file)
        for (section, entries) in document.sections {
            guard section == "DEFAULT" else {
                throw ConfigError.unknownSection(
                    file: file, line: document.sectionLines[section] ?? 0, section: section)
            }
            for (key, entry) in entries.sorted(by: { $0.value.line < $1.value.line }) {
                guard let spec = ConfigSchema.keys.first(where: { $0.name == key }) else {
                    throw ConfigError.unknownKey(file: file, line: entry.line, section: section, key: key)
                }
                do {
                    try spec.apply(&self, entry.value)
                } catch let failure as ConfigValueError {
                    switch failure {
                    case .expected(let what):
                        throw ConfigError.badValue(
                            file: file, line: entry.line, key: key, value: entry.value, expected: what)
                    case .unknownIDs(let ids, let known):
                        throw ConfigError.unknownIDs(file: file, line: entry.line, key: key, ids: ids, known: known)
                    }
                }
            }
        }
    }

    /// Loads `path`; a missing default file means "all defaults", a missing explicit file is an error.
    public static func load(path: String?) throws -> AgentConfig {
        let file = path ?? defaultPath
        guard FileManager.default.fileExists(atPath: file) else {
            if path == nil { return AgentConfig() }
            throw ConfigError.unreadable(file: file, reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigError.unreadable(file: file, reason: "cannot read it as UTF-8 text")
        }
        return try AgentConfig(text: text, file: file)
    }
}

/// Why one value was refused (turned into a `ConfigError` with file and line).
enum ConfigValueError: Error {
    case expected(String)
    case unknownIDs([String], known: [String])
}

extension AgentConfig {
    /// agent.conf.sample's text: every key, its default and one line of help.
    public static var sampleText: String { ConfigSchema.sampleText() }
}
