import AgentBase
import DataSources
import FoundationEssentials

/// cloud-config `password`, `chpasswd` and `ssh_pwauth` (cloud-init's `set_passwords`
/// module), read into what to set; `CloudConfigPasswords` applies it.
extension CloudConfig {
    /// One user's new password as the document gives it.
    enum PasswordValue: Sendable, Equatable {
        /// Clear text: hashed by the agent (SHA-512 crypt) before chpasswd sees it.
        case text(String)
        /// A crypt(3) hash, set as it is.
        case hash(String)
        /// A random password made by the agent and shown on the console with the user's name.
        case random
    }

    struct PasswordEntry: Sendable, Equatable {
        /// A user name, or nil for the default user (top-level `password`).
        var user: String?
        var value: PasswordValue
    }

    struct PasswordChanges: Sendable, Equatable {
        var entries: [PasswordEntry] = []
        /// `chpasswd.expire` (cloud-init's default: true): the users set here must choose a
        /// new password at their first login.
        var expire = true
    }

    /// cloud-init's test for a hash in the legacy `list` (from its schema's documentation):
    /// `$1$`, `$2a$`, `$2y$`, `$5$` or `$6$` and two more `$` fields, no `:`.
    static func looksLikeHash(_ text: String) -> Bool {
        (try? /^\$(1|2a|2y|5|6)(\$.+){2}$/.wholeMatch(in: text)) != nil && !text.contains(":")
    }

    /// A password as `password` and the legacy list give it: `R`/`RANDOM` is random, a
    /// crypt hash is set as it is, anything else is clear text.
    static func passwordValue(_ text: String) -> PasswordValue {
        text == "R" || text == "RANDOM" ? .random : looksLikeHash(text) ? .hash(text) : .text(text)
    }

    /// `password` (the default user's, used only when `chpasswd` names nobody, as in
    /// cloud-init) and `chpasswd` (`expire`, `users`, the legacy `list`).
    static func passwordChanges(_ map: [String: YAMLValue]) throws -> PasswordChanges {
        var changes = PasswordChanges()
        if let settings = map["chpasswd"], settings != .null {
            guard case .map(let chpasswd) = settings else {
                throw CloudConfigError.type("chpasswd", "a mapping (expire, users, list)")
            }
            changes.expire = try bool(chpasswd["expire"], "chpasswd.expire") ?? true
            changes.entries = try list(chpasswd["users"], "chpasswd.users").enumerated().map {
                try passwordUser($1, "chpasswd.users[\($0)]")
            }
            changes.entries += try legacyList(chpasswd["list"])
        }
        if changes.entries.isEmpty, let password = try string(map["password"], "password") {
            changes.entries = [PasswordEntry(user: nil, value: passwordValue(password))]
        }
        return changes
    }

    /// A `chpasswd.users` entry: `name`, `type` (`hash`, the default, `text` or `RANDOM`)
    /// and `password` (not with `RANDOM`).
    static func passwordUser(_ value: YAMLValue, _ key: String) throws -> PasswordEntry {
        guard case .map(let entry) = value else { throw CloudConfigError.type(key, "a mapping (name, password, type)") }
        guard let name = try string(entry["name"], "\(key).name") else {
            throw CloudConfigError.type("\(key).name", "a user name")
        }
        let password = try string(entry["password"], "\(key).password")
        switch try string(entry["type"], "\(key).type") ?? "hash" {
        case "RANDOM":
            return PasswordEntry(user: name, value: .random)
        case "text":
            guard let password else { throw CloudConfigError.type("\(key).password", "the password (type text)") }
            return PasswordEntry(user: name, value: .text(password))
        case "hash":
            guard let password, looksLikeHash(password) else {
                throw CloudConfigError.type(
                    "\(key).password", "a crypt(3) hash such as $6$... (type hash, the default)")
            }
            return PasswordEntry(user: name, value: .hash(password))
        case let other:
            throw CloudConfigError.type("\(key).type", "hash, text or RANDOM, not '\(TextPreview.line(other))'")
        }
    }

    /// The legacy `chpasswd.list`: `user:password` lines, as a list or one multi-line
    /// string; `R`/`RANDOM` is a random password, a hash is set as it is.
    static func legacyList(_ value: YAMLValue?) throws -> [PasswordEntry] {
        let lines: [String]
        if case .string(let text)? = value {
            lines = text.split(separator: "\n").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        } else {
            lines = try strings(value, "chpasswd.list")
        }
        return try lines.enumerated().map { index, line in
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw CloudConfigError.type("chpasswd.list[\(index)]", "user:password")
            }
            let user = String(line[..<colon])
            return PasswordEntry(user: user, value: passwordValue(String(line[line.index(after: colon)...])))
        }
    }

    /// `ssh_pwauth`: true or false sets sshd's `PasswordAuthentication`; nil, `unchanged`
    /// (and cloud-init's other strings) leave it.
    static func sshPasswordAuthentication(_ value: YAMLValue?) throws -> Bool? {
        if case .string(let text)? = value, text.lowercased() == "unchanged" { return nil }
        return try bool(value, "ssh_pwauth")
    }
}
