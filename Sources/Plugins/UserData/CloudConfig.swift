import AgentBase
import DataSources
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The `#cloud-config` subset this agent applies, read from YAML (`YAMLParser`). Reading checks
/// every type, so applying never meets a value it has to guess about: a wrong type is an
/// error naming the key, invalid YAML an error naming the line and column.
struct CloudConfig: Sendable, Equatable {
    /// A `runcmd`/`bootcmd` entry: a string is run by `sh -c` (as cloud-init does: that is
    /// what the user wrote it for), a list is an argv run directly.
    enum Command: Sendable, Equatable {
        case shell(String)
        case argv([String])

        var argv: [String] {
            switch self {
            case .shell(let text): ["/bin/sh", "-c", text]
            case .argv(let argv): argv
            }
        }
    }

    struct User: Sendable, Equatable {
        /// The `default` entry: the agent's admin user, as the users plugin makes it.
        var isDefault = false
        var name = ""
        var gecos: String?
        var groups: [String] = []
        var sudo: [String] = []
        var shell: String?
        var sshAuthorizedKeys: [String] = []
        var lockPasswd = true
        var passwd: String?
        var plainTextPasswd: String?
    }

    struct File: Sendable, Equatable {
        var path: String
        var content: Data
        var permissions: mode_t = 0o644
        var owner: String = "root:root"
        var append = false
        var deferred = false
        /// Content that does not decode under its encoding (base64 that is not, gzip that is
        /// not): this entry fails when written, the document's other keys still apply. A
        /// wrong type or an unknown encoding, which cloud-init's schema rejects, refuses the
        /// document instead.
        var contentProblem: CloudConfigError?
    }

    static let knownKeys: Set<String> = [
        "hostname", "fqdn", "preserve_hostname", "users", "ssh_authorized_keys", "write_files", "runcmd", "bootcmd",
        "timezone", "packages", "final_message", "password", "chpasswd", "ssh_pwauth",
        "manage_etc_hosts", "user", "vendor_data", "ssh_genkeytypes", "ssh_deletekeys", "disable_root",
        "mounts", "mount_default_fields", "swap", "ntp", "locale", "locale_configfile", "ca_certs", "ca-certs",
        "power_state",
        "package_update", "package_upgrade", "apt_update", "apt_upgrade",
    ]

    var hostname: String?
    var fqdn: String?
    var preserveHostname = false
    var users: [User] = []
    /// Top-level `user:` (a name, or a mapping with `name`): the default user for this
    /// instance, in place of the configured `username` (`DefaultUserOverride`).
    var defaultUserName: String?
    var sshAuthorizedKeys: [String] = []
    var writeFiles: [File] = []
    var runcmd: [Command] = []
    var bootcmd: [Command] = []
    var timezone: String?
    /// `package_update`, `package_upgrade`, `packages` (CloudConfig+Packages).
    var packageRequest = PackageRequest()
    var finalMessage: String?
    var passwords = PasswordChanges()
    var sshPasswordAuthentication: Bool?
    /// `manage_etc_hosts`: true (also cloud-init's `localhost` and `template`, which this
    /// agent writes the same way: its own 127.0.1.1 line) or false; nil when not given.
    var manageEtcHosts: Bool?
    var unknownKeys: [String] = []
    /// `ssh_genkeytypes` and `ssh_deletekeys`, for the host_keys plugin (`UserDataOverrides`).
    var sshGenKeyTypes: [SSHHostKeyType]?
    var sshDeleteKeys: Bool?
    /// `disable_root`, for the ssh_keys plugin (`UserDataOverrides`).
    var disableRoot: Bool?
    /// Every top-level key the document sets (what it overrides in vendor data).
    var keys: Set<String> = []
    /// `vendor_data: {enabled: false}`: the user turns the vendor's data off (cloud-init's key).
    var vendorDataEnabled = true
    /// What the YAML reader accepted with a warning (a key given twice: the last wins, as
    /// in cloud-init), each with its line; the plugin logs them.
    var warnings: [String] = []
    /// mounts, ntp, locale, ca_certs, power_state (`SystemKeys`: each read on its own).
    var system = SystemKeys()

    /// Parses a `#cloud-config` document (the marker line is a YAML comment); `ignoring`
    /// names top-level keys left out (a vendor document's keys the user data overrides).
    init(_ data: Data, ignoring: Set<String> = []) throws {
        guard let text = String(validating: data, as: UTF8.self) else { throw CloudConfigError.notUTF8 }
        let document: YAMLDocument
        do {
            document = try YAMLParser.load(text)
        } catch let error as YAMLError {
            throw CloudConfigError.yaml(error.description)
        }
        warnings = document.warnings.map(\.description)
        let loaded = document.value
        guard let loaded, loaded != .null else { return }  // an empty document: nothing to do
        guard case .map(var map) = loaded else {
            throw CloudConfigError.type("the document", "a mapping of keys")
        }
        for key in ignoring { map[key] = nil }
        keys = Set(map.keys)
        if case .map(let vendor)? = map["vendor_data"] {
            if case .string(let text)? = vendor["enabled"] {
                // cloud-init's `is_true`: a string turns vendor data on only when it is one
                // of its true words; any other string turns it off.
                vendorDataEnabled = ["true", "1", "on", "yes"].contains(text.lowercased().trimmingWhitespace())
                warnings.append(
                    "vendor_data.enabled: the string '\(TextPreview.line(text))' read as \(vendorDataEnabled)")
            } else {
                vendorDataEnabled = try Self.bool(vendor["enabled"], "vendor_data.enabled") ?? true
            }
        }
        unknownKeys = map.keys.filter { !Self.knownKeys.contains($0) }.sorted()
        hostname = try Self.string(map["hostname"], "hostname")
        fqdn = try Self.string(map["fqdn"], "fqdn")
        preserveHostname = try Self.bool(map["preserve_hostname"], "preserve_hostname") ?? false
        timezone = try Self.string(map["timezone"], "timezone")
        finalMessage = try Self.string(map["final_message"], "final_message")
        sshAuthorizedKeys = try Self.strings(map["ssh_authorized_keys"], "ssh_authorized_keys")
        packageRequest = try Self.packageRequest(map, warnings: &warnings)
        runcmd = try Self.commands(map["runcmd"], "runcmd")
        bootcmd = try Self.commands(map["bootcmd"], "bootcmd")
        users = try Self.users(map["users"])
        defaultUserName = try Self.defaultUserName(map["user"])
        sshDeleteKeys = try Self.bool(map["ssh_deletekeys"], "ssh_deletekeys")
        disableRoot = try Self.bool(map["disable_root"], "disable_root")
        if map["ssh_genkeytypes"] != nil {
            let names = try Self.strings(map["ssh_genkeytypes"], "ssh_genkeytypes")
            guard !names.isEmpty else { throw CloudConfigError.type("ssh_genkeytypes", "at least one host key type") }
            let types: [SSHHostKeyType] = try names.compactMap { name in
                // cloud-init's schema allows dsa; OpenSSH turned DSA off (7.0) and removed it
                // (9.8), so no image's sshd would load it: named, not made.
                if name == "dsa" {
                    warnings.append("ssh_genkeytypes: dsa host keys are not made (OpenSSH no longer supports DSA)")
                    return nil
                }
                guard let type = SSHHostKeyType(rawValue: name) else {
                    throw CloudConfigError.type(
                        "ssh_genkeytypes", "host key types (ed25519, ecdsa, rsa, dsa), not '\(TextPreview.line(name))'")
                }
                return type
            }
            // Only dsa: no key sshd would load would be made, and nobody could log in over
            // SSH; the default types are made instead, and the warning says so.
            if types.isEmpty {
                warnings.append("ssh_genkeytypes: only dsa was asked for: the default host key types are made instead")
            } else {
                sshGenKeyTypes = types
            }
        }
        passwords = try Self.passwordChanges(map)
        sshPasswordAuthentication = try Self.sshPasswordAuthentication(map["ssh_pwauth"])
        if case .string(let mode)? = map["manage_etc_hosts"], mode == "localhost" || mode == "template" {
            manageEtcHosts = true
        } else {
            manageEtcHosts = try Self.bool(map["manage_etc_hosts"], "manage_etc_hosts")
        }
        writeFiles = try Self.list(map["write_files"], "write_files").enumerated().map {
            try Self.file($1, "write_files[\($0)]")
        }
        system = SystemKeys(map)
    }

    /// "hostname, users (2), runcmd (3)": what a plan line says this document would do.
    var summary: String {
        var keys: [String] = []
        if hostname != nil || fqdn != nil { keys.append(preserveHostname ? "preserve_hostname" : "hostname") }
        if defaultUserName != nil { keys.append("user") }
        if !users.isEmpty { keys.append("users (\(users.count))") }
        if !sshAuthorizedKeys.isEmpty { keys.append("ssh_authorized_keys (\(sshAuthorizedKeys.count))") }
        if !passwords.entries.isEmpty { keys.append("passwords (\(passwords.entries.count))") }
        if sshPasswordAuthentication != nil { keys.append("ssh_pwauth") }
        if manageEtcHosts != nil { keys.append("manage_etc_hosts") }
        if !writeFiles.isEmpty { keys.append("write_files (\(writeFiles.count))") }
        if !bootcmd.isEmpty { keys.append("bootcmd (\(bootcmd.count))") }
        if !runcmd.isEmpty { keys.append("runcmd (\(runcmd.count))") }
        if timezone != nil { keys.append("timezone") }
        if let key = packageRequest.updateKey { keys.append(key) }
        if let key = packageRequest.upgradeKey { keys.append(key) }
        if !packageRequest.packages.isEmpty { keys.append("packages (\(packageRequest.packages.count))") }
        if finalMessage != nil { keys.append("final_message") }
        keys += system.summaryItems
        if !unknownKeys.isEmpty { keys.append("unknown keys ignored: \(unknownKeys.joined(separator: ", "))") }
        return keys.isEmpty ? "no keys" : keys.joined(separator: ", ")
    }

    // MARK: typed readers; each error names the key

    static func string(_ value: YAMLValue?, _ key: String) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case .double(let number)?: return "\(number)"
        default: throw CloudConfigError.type(key, "a string")
        }
    }

    static func bool(_ value: YAMLValue?, _ key: String) throws -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .string(let text)?:
            if let flag = try? ConfigSchema.boolean(text) { return flag }
        default: break
        }
        throw CloudConfigError.type(key, "true or false")
    }

    static func list(_ value: YAMLValue?, _ key: String) throws -> [YAMLValue] {
        switch value {
        case nil, .null?: return []
        case .list(let items)?: return items
        default: throw CloudConfigError.type(key, "a list")
        }
    }

    static func strings(_ value: YAMLValue?, _ key: String) throws -> [String] {
        try list(value, key).enumerated().map { index, item in
            guard let text = try string(item, "\(key)[\(index)]") else {
                throw CloudConfigError.type("\(key)[\(index)]", "a string")
            }
            return text
        }
    }

    /// A string, or a list of strings, or a comma-separated string (cloud-init's `groups`).
    static func stringOrList(_ value: YAMLValue?, _ key: String) throws -> [String] {
        if case .list? = value { return try strings(value, key) }
        guard let text = try string(value, key) else { return [] }
        return text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    static func commands(_ value: YAMLValue?, _ key: String) throws -> [Command] {
        try list(value, key).enumerated().map { index, item in
            if case .string(let text) = item { return .shell(text) }
            let argv = try strings(item, "\(key)[\(index)]")
            guard !argv.isEmpty else { throw CloudConfigError.type("\(key)[\(index)]", "a string or a non-empty list") }
            return .argv(argv)
        }
    }

    /// `user:` as cloud-init reads it: a name, or a mapping whose `name` is the default user's.
    static func defaultUserName(_ value: YAMLValue?) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .map(let map)?:
            guard let name = try string(map["name"], "user.name") else {
                throw CloudConfigError.type("user.name", "a user name")
            }
            return name
        default: return try string(value, "user")
        }
    }

    static func file(_ value: YAMLValue, _ key: String) throws -> File {
        guard case .map(let map) = value else { throw CloudConfigError.type(key, "a mapping") }
        guard let path = try string(map["path"], "\(key).path") else {
            throw CloudConfigError.type("\(key).path", "a path")
        }
        // `content: !!binary |` (cloud-init's own examples) is bytes already.
        let raw: Data
        if case .binary(let bytes)? = map["content"] {
            raw = bytes
        } else {
            raw = Data((try string(map["content"], "\(key).content") ?? "").utf8)
        }
        let encoding = try WriteFilesEncoding.validated(try string(map["encoding"], "\(key).encoding"), key: key)
        var file = File(path: path, content: Data())
        do {
            file.content = try WriteFilesEncoding.decode(raw, encoding: encoding, key: key)
        } catch let problem as CloudConfigError {
            file.contentProblem = problem
        } catch {
            file.contentProblem = .type("\(key).content", "\(error)")
        }
        if let permissions = map["permissions"] {
            // YAML 1.1 reads 0644 as the integer 420 (octal); "0644" and 0o644 stay strings.
            if case .int(let number) = permissions, (0...0o7777).contains(number) {
                file.permissions = mode_t(number)
            } else if case .string(let text) = permissions,
                let number = Int(text.hasPrefix("0o") ? String(text.dropFirst(2)) : text, radix: 8),
                (0...0o7777).contains(number)
            {
                file.permissions = mode_t(number)
            } else {
                throw CloudConfigError.type("\(key).permissions", "an octal mode such as '0644'")
            }
        }
        file.owner = try string(map["owner"], "\(key).owner") ?? "root:root"
        file.append = try bool(map["append"], "\(key).append") ?? false
        file.deferred = try bool(map["defer"], "\(key).defer") ?? false
        return file
    }
}

/// `write_files` content encodings (cloud-init's names).
enum WriteFilesEncoding {
    /// The file's bytes from `raw` (the content's text as UTF-8, or a `!!binary` value's
    /// bytes) under `encoding`, as cloud-init's `extract_contents` decodes either.
    /// cloud-init's encoding names (its schema's list); anything else is refused, naming it.
    static func validated(_ encoding: String?, key: String) throws -> String? {
        let known = ["b64", "base64", "gz", "gzip", "gz+b64", "gzip+base64", "gz+base64", "gzip+b64", "text/plain"]
        guard let encoding, !known.contains(encoding.lowercased()) else { return encoding }
        throw CloudConfigError.type("\(key).encoding", "b64, gzip or gz+b64, not '\(TextPreview.line(encoding))'")
    }

    static func decode(_ raw: Data, encoding: String?, key: String) throws -> Data {
        let compact = { (raw: Data) in
            Data(base64Encoded: String(decoding: raw, as: UTF8.self).filter { !$0.isWhitespace })
        }
        switch encoding?.lowercased() {
        case nil, "text/plain": return raw
        case "b64", "base64":
            guard let data = compact(raw) else {
                throw CloudConfigError.type("\(key).content", "base64 (encoding \(encoding!))")
            }
            return data
        case "gz", "gzip":
            // Raw gzip bytes come as `!!binary` content (YAML text cannot hold them).
            return try GzipDecoder.decompress(raw, maxBytes: 16 << 20, what: "\(key).content")
        case "gz+b64", "gzip+base64", "gz+base64", "gzip+b64":
            guard let data = compact(raw) else {
                throw CloudConfigError.type("\(key).content", "base64 (encoding \(encoding!))")
            }
            return try GzipDecoder.decompress(data, maxBytes: 16 << 20, what: "\(key).content")
        case let other?:
            throw CloudConfigError.type("\(key).encoding", "b64, gzip or gz+b64, not '\(TextPreview.line(other))'")
        }
    }
}

enum CloudConfigError: Error, CustomStringConvertible, Equatable {
    case notUTF8
    case yaml(String)
    case type(String, String)

    var description: String {
        switch self {
        case .notUTF8: "cloud-config is not UTF-8 text"
        case .yaml(let where_): "invalid YAML at \(where_)"
        case .type(let key, let expected): "cloud-config \(key) must be \(expected)"
        }
    }
}
