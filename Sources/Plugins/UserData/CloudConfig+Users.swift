import AgentBase
import FoundationEssentials

extension CloudConfig {
    /// `users` in every form cloud-init's `normalize_users_groups` reads: a comma-separated
    /// string of names; a list of names (`default` is the agent's admin user), lists of
    /// names and mappings; or a mapping of name to a mapping (that user's settings) or to a
    /// flag (true: that user with no settings, false: left out). A name given twice is made
    /// once, with the first entry's settings (cloud-init merges the entries, the first one's
    /// keys winning), or the later's when the first was a bare name.
    static func users(_ value: YAMLValue?) throws -> [User] {
        var entries: [(YAMLValue, String)] = []
        switch value {
        case nil, .null?: return []
        case .string(let text)?: entries = names(text).map { (.string($0), "users") }
        case .map(let byName)?:
            for (name, settings) in byName.sorted(by: { $0.key < $1.key }) {
                switch settings {
                case .map(var map):
                    map["name"] = .string(name)
                    entries.append((.map(map), "users.\(name)"))
                case .bool, .int, .double, .string, .null:
                    if (try? bool(settings, "users.\(name)")) == true || settings == .int(1) {
                        entries.append((.string(name), "users.\(name)"))
                    }
                default:
                    throw CloudConfigError.type("users.\(name)", "a mapping of the user's settings, or true")
                }
            }
        case .list(let items)?:
            for (index, item) in items.enumerated() {
                let key = "users[\(index)]"
                switch item {
                case .string(let text): entries += names(text).map { (.string($0), key) }
                case .list: entries += try strings(item, key).flatMap(names).map { (.string($0), key) }
                default: entries.append((item, key))
                }
            }
        default:
            throw CloudConfigError.type("users", "a list, a mapping or a comma-separated string of names")
        }
        var users: [User] = []
        for (entry, key) in entries {
            let user = try Self.user(entry, key)
            if let earlier = users.firstIndex(where: { $0.name == user.name }) {
                users[earlier] = users[earlier].merged(with: user)
            } else {
                users.append(user)
            }
        }
        return users
    }

    /// "a, b,,c" → ["a", "b", "c"] (cloud-init's `uniq_merge` of a string).
    private static func names(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    static func user(_ value: YAMLValue, _ key: String) throws -> User {
        if case .string(let text) = value {
            return text == "default" ? User(isDefault: true, name: "default") : User(name: text)
        }
        guard case .map(let given) = value else {
            throw CloudConfigError.type(key, "\"default\", a name or a mapping")
        }
        // cloud-init reads `lock-passwd` as `lock_passwd` (every key's `-` becomes `_`).
        var map: [String: YAMLValue] = [:]
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            let normal = String(name.map { $0 == "-" ? "_" : $0 })
            if normal == "ssh_authorized_keys", let earlier = map[normal] {
                map[normal] = .list(((try? list(earlier, key)) ?? []) + ((try? list(value, key)) ?? []))
            } else {
                map[normal] = value
            }
        }
        guard let name = try string(map["name"], "\(key).name") else {
            throw CloudConfigError.type("\(key).name", "a user name")
        }
        var user = User(name: name)
        user.gecos = try string(map["gecos"], "\(key).gecos")
        user.groups = try stringOrList(map["groups"], "\(key).groups")
        if case .bool(let flag)? = map["sudo"] {
            if flag {
                throw CloudConfigError.type(
                    "\(key).sudo", "a sudoers rule such as \"ALL=(ALL) NOPASSWD:ALL\" (or false)")
            }
        } else {
            user.sudo =
                map["sudo"]?.isList == true
                ? try strings(map["sudo"], "\(key).sudo") : (try string(map["sudo"], "\(key).sudo")).map { [$0] } ?? []
        }
        user.shell = try string(map["shell"], "\(key).shell")
        user.sshAuthorizedKeys = try strings(map["ssh_authorized_keys"], "\(key).ssh_authorized_keys")
        user.lockPasswd = try bool(map["lock_passwd"], "\(key).lock_passwd") ?? true
        // `hashed_passwd` is cloud-init's newer name for `passwd`; `plain_text_passwd` is
        // clear text, hashed by the agent.
        user.passwd = try string(map["hashed_passwd"], "\(key).hashed_passwd") ?? string(map["passwd"], "\(key).passwd")
        user.plainTextPasswd = try string(map["plain_text_passwd"], "\(key).plain_text_passwd")
        return user
    }
}

extension CloudConfig.User {
    /// The entry to keep when a name comes again: the first, unless it was a bare name.
    func merged(with later: Self) -> Self {
        self == Self(isDefault: isDefault, name: name) ? later : self
    }
}
