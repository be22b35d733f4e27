import AgentBase
import DataSources
import FoundationEssentials
import Logging
import PasswordCrypto

/// One configuration key: its name, default (as written in agent.conf.sample), one line
/// of help, and how it is applied to `AgentConfig`.
struct ConfigKey: Sendable {
    let name: String
    let defaultValue: String
    let help: String
    let apply: @Sendable (inout AgentConfig, String) throws -> Void
}

/// Every key the agent accepts in `[DEFAULT]`. agent.conf.sample is generated from this
/// table (`guest-agent sample-config`), and a test keeps the committed file in step.
enum ConfigSchema {
    static let keys: [ConfigKey] = [
        ConfigKey(
            name: "metadata_services", defaultValue: "configdrive, nocloud, openstack, ec2",
            help: "Metadata sources to try, in order: configdrive, nocloud, openstack, ec2."
        ) {
            $0.metadataServices = try ids($1, known: DataSourceRegistry.knownIDs).compactMap(
                DataSourceRegistry.SourceID.init(rawValue:))
        },
        ConfigKey(
            name: "metadata_base_url", defaultValue: "http://169.254.169.254/",
            help: "Base URL of the OpenStack metadata HTTP API."
        ) { $0.metadataBaseURL = try url($1) },
        ConfigKey(
            name: "ec2_metadata_base_url", defaultValue: "http://169.254.169.254/",
            help: "Base URL of the EC2 instance metadata service."
        ) { $0.ec2MetadataBaseURL = try url($1) },
        ConfigKey(
            name: "configdrive_paths", defaultValue: "",
            help: "Extra config drive candidates: block devices, image files or directories."
        ) {
            $0.configdrivePaths = try guestPaths($1)
        },
        ConfigKey(
            name: "nocloud_paths", defaultValue: "",
            help: "Extra NoCloud seed candidates: block devices, image files or directories (a missing one is skipped)."
        ) {
            $0.nocloudPaths = try guestPaths($1)
        },
        ConfigKey(
            name: "retry_count", defaultValue: "3",
            help: "Retries per metadata request after the first attempt (5xx, timeouts, refused)."
        ) {
            $0.retryCount = try integer($1, in: 0...20)
        },
        ConfigKey(
            name: "retry_count_interval", defaultValue: "0.5",
            help:
                "Longest first wait between retries in seconds (each wait is random up to it); doubles each retry, capped at 4 s."
        ) {
            $0.retryCountInterval = try seconds($1, in: 0...60)
        },
        ConfigKey(
            name: "request_timeout", defaultValue: "2",
            help: "Seconds without an answer before one metadata request is abandoned."
        ) {
            $0.requestTimeout = try seconds($1, in: 0.1...120)
        },
        ConfigKey(
            name: "request_total_timeout", defaultValue: "10",
            help: "The most one metadata request may take, retries included, however slowly the server answers."
        ) {
            $0.requestTotalTimeout = try seconds($1, in: 0.5...3600)
        },
        ConfigKey(
            name: "discovery_timeout", defaultValue: "20",
            help: "Overall deadline in seconds for finding a metadata source (then exit 2)."
        ) {
            $0.discoveryTimeout = try seconds($1, in: 0.1...3600)
        },
        ConfigKey(
            name: "run_lock_timeout", defaultValue: "60",
            help: "Seconds to wait for another run on the same root to finish (then exit 75)."
        ) {
            $0.runLockTimeout = try seconds($1, in: 0...3600)
        },
        ConfigKey(
            name: "plugins", defaultValue: PluginRegistry.defaultPluginIDs.joined(separator: ", "),
            help: "Plugins to run, in order."
        ) { $0.plugins = try ids($1, known: PluginRegistry.knownIDs) },
        ConfigKey(
            name: "username", defaultValue: "cloud-user",
            help: "Admin user; metadata meta.admin_username wins when present."
        ) {
            $0.username = try nonEmpty($1)
        },
        ConfigKey(
            name: "groups", defaultValue: "",
            help: "Groups for the admin user; empty: the target's admin group (sudo or wheel)."
        ) {
            $0.groups = list($1)
        },
        ConfigKey(
            name: "inject_user_password", defaultValue: "true",
            help: "Use the metadata admin_pass (config drive) when given; else a random password."
        ) {
            $0.injectUserPassword = try boolean($1)
        },
        ConfigKey(
            name: "user_password_length", defaultValue: "20",
            help: "Length of a generated admin password (12 to 128)."
        ) {
            $0.userPasswordLength = try integer($1, in: 12...128)
        },
        ConfigKey(
            name: "network_renderer", defaultValue: "auto",
            help: "Network configuration format: auto, networkd, netplan, eni, networkmanager."
        ) {
            $0.networkRenderer = try choice($1)
        },
        ConfigKey(
            name: "state_dir", defaultValue: "/var/lib/guest-agent",
            help: "Where per-instance state is kept (under --root when given)."
        ) { $0.stateDir = try guestPath($1) },
        ConfigKey(
            name: "log_file", defaultValue: "",
            help: "Also log to this file (under --root when given); empty: standard error only."
        ) {
            $0.logFile = $1.isEmpty ? "" : try guestPath($1)
        },
        ConfigKey(
            name: "log_level", defaultValue: "info",
            help: "trace, debug, info, notice, warning, error or critical."
        ) {
            $0.logLevel = try choice($1)
        },
        ConfigKey(
            name: "netbios_host_name_compatibility", defaultValue: "false",
            help: "Cut the host name to 15 characters, as Windows NetBIOS names require."
        ) {
            $0.netbiosHostNameCompatibility = try boolean($1)
        },
        ConfigKey(
            name: "manage_etc_hosts", defaultValue: "true",
            help: "Keep a line for the host name in /etc/hosts (only the agent's own line)."
        ) {
            $0.manageEtcHosts = try boolean($1)
        },
        ConfigKey(
            name: "ssh_keys_for_root", defaultValue: "false",
            help: "Also install the metadata SSH keys for root."
        ) { $0.sshKeysForRoot = try boolean($1) },
        ConfigKey(
            name: "password_encryption", defaultValue: "pkcs1v15",
            help:
                "RSA padding for the published password: pkcs1v15 (what nova get-password decrypts), oaep-sha1, oaep-sha256."
        ) {
            $0.passwordEncryption = try choice($1)
        },
        ConfigKey(
            name: "allow_reboot", defaultValue: "true",
            help: "Reboot when a plugin needs it (only when the root is /); the remaining plugins run after."
        ) {
            $0.allowReboot = try boolean($1)
        },
        ConfigKey(
            name: "ec2_password_to_console", defaultValue: "true",
            help: "On EC2, print the encrypted password between <Password> tags on the console."
        ) {
            $0.ec2PasswordToConsole = try boolean($1)
        },
        ConfigKey(
            name: "resize_mount_points", defaultValue: "/",
            help: "Mount points whose partition, LVM volumes and filesystem the resize plugin grows to fill their disk."
        ) {
            $0.resizeMountPoints = try nonEmptyList(try guestPaths($1))
        },
        ConfigKey(
            name: "ssh_host_key_types", defaultValue: "ed25519, ecdsa, rsa",
            help:
                "SSH host key types the host_keys plugin generates for a new instance (ed25519 first): ed25519, ecdsa, rsa."
        ) {
            $0.sshHostKeyTypes = try choices($1)
        },
        ConfigKey(
            name: "userdata_allow_include", defaultValue: "false",
            help:
                "Let user data name more user data by URL (#include, #include-once): fetched over http(s) like metadata; off: such parts fail."
        ) {
            $0.userdataAllowInclude = try boolean($1)
        },
        ConfigKey(
            name: "userdata_script_timeout", defaultValue: "600",
            help:
                "Seconds one user data script, cloud-config command or package manager step may run before its whole process group is killed."
        ) {
            $0.userdataScriptTimeout = try seconds($1, in: 1...86400)
        },
    ]

    /// The text of agent.conf.sample: every key, its default, one line of explanation.
    static func sampleText() -> String {
        var text = "# guest-agent configuration (INI). Default path: /etc/guest-agent/agent.conf\n"
        text += "# Lists are comma-separated; '#' and ';' start comments. Values shown are the defaults.\n\n[DEFAULT]\n"
        for key in keys {
            text += "# \(key.help)\n\(key.name) = \(key.defaultValue)\n\n"
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
