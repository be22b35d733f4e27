import DataSources
import FoundationEssentials
import Logging
import PasswordCrypto

/// The agent's typed, validated configuration. Defaults are those of `ConfigSchema`;
/// key names follow cloudbase-init's where the meaning is the same.
public struct AgentConfig: Sendable, Equatable {
    public var metadataServices: [DataSourceRegistry.SourceID] = DataSourceRegistry.SourceID.allCases
    public var metadataBaseURL = URL(string: "http://169.254.169.254/")!
    public var ec2MetadataBaseURL = URL(string: "http://169.254.169.254/")!
    public var configdrivePaths: [String] = []
    public var nocloudPaths: [String] = []
    public var retryCount = 3
    public var retryCountInterval = 0.5
    public var requestTimeout = 2.0
    public var requestTotalTimeout = 10.0
    public var runLockTimeout = 60.0
    public var discoveryTimeout = 20.0
    public var plugins: [String] = PluginRegistry.defaultPluginIDs
    public var username = "cloud-user"
    public var groups: [String] = []
    public var injectUserPassword = true
    public var userPasswordLength = 20
    public var networkRenderer = NetworkRenderer.auto
    public var stateDir = "/var/lib/guest-agent"
    public var logFile = ""
    public var logLevel = Logger.Level.info
    public var netbiosHostNameCompatibility = false
    public var manageEtcHosts = true
    public var sshKeysForRoot = false
    public var passwordEncryption = PasswordPadding.legacyPKCS1v15
    public var ec2PasswordToConsole = true
    public var allowReboot = true
    public var resizeMountPoints: [String] = ["/"]
    public var sshHostKeyTypes: [SSHHostKeyType] = [.ed25519, .ecdsa, .rsa]
    public var userdataAllowInclude = false
    public var userdataScriptTimeout = 600.0

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

/// `ssh_host_key_types`: the host key types the host_keys plugin generates.
public enum SSHHostKeyType: String, Sendable, CaseIterable, Codable {
    case ed25519, ecdsa, rsa
}

/// `network_renderer`: which network configuration format the network plugin writes.
public enum NetworkRenderer: String, Sendable, CaseIterable {
    case auto, networkd, netplan, eni, networkmanager
}
