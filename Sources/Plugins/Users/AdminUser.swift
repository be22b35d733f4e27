/// The admin user's name: `meta.admin_username` from metadata wins over the configured
/// `username`. Shared by the users, password and ssh_keys plugins so they always agree.
public enum AdminUser {
    /// System accounts the cloud must never be able to take over.
    static let reserved: Set<String> = [
        "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data",
        "backup", "list", "irc", "gnats", "nobody", "systemd-network", "systemd-resolve", "systemd-timesync",
        "messagebus", "sshd", "_apt", "polkitd", "halt", "shutdown", "operator", "adm", "sudo", "wheel",
    ]

    /// The validated admin user name for this run.
    public static func name(for context: PluginContext) throws -> String {
        try validate(context.metadata.adminUsername ?? context.config.username)
    }

    /// Accepts `^[a-z_][a-z0-9_-]{0,31}$` (the portable Linux rule useradd enforces by
    /// default) that is not a system account. Metadata is untrusted: anything else is
    /// refused with the value shown escaped, before any command runs.
    public static func validate(_ name: String) throws -> String {
        let shown = HostnameValidator.preview(name)
        guard !name.isEmpty else { throw UserError.invalidName(shown, "it is empty") }
        guard name.utf8.count <= 32 else { throw UserError.invalidName(shown, "it is longer than 32 characters") }
        let scalars = Array(name.unicodeScalars)
        let startsWell = scalars[0] == "_" || ("a"..."z").contains(scalars[0])
        guard startsWell else { throw UserError.invalidName(shown, "it must start with a lower-case letter or '_'") }
        if let bad = scalars.first(where: {
            !(("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
        }) {
            throw UserError.invalidName(
                shown, "it contains \(HostnameValidator.describe(bad)) (allowed: a-z, 0-9, '_', '-')")
        }
        guard !reserved.contains(name) else { throw UserError.invalidName(shown, "it is a system account") }
        return name
    }
}

public enum UserError: Error, CustomStringConvertible, Equatable {
    case invalidName(String, String)
    case unknownGroups([String], group: String)
    case unsafePassword(String)
    /// After chpasswd reported success, `shadow` does not hold the password (see `why`).
    case passwordNotSet(user: String, shadow: String, why: String)

    public var description: String {
        switch self {
        case .passwordNotSet(let user, let shadow, let why):
            "the password of \(user) was not set: \(shadow) does not hold it after chpasswd ran (\(why))"
        case .invalidName(let name, let why): "refusing user name '\(name)': \(why)"
        case .unknownGroups(let groups, let file): "group(s) \(groups.joined(separator: ", ")) do not exist in \(file)"
        case .unsafePassword(let why): "refusing to set the password: \(why)"
        }
    }
}
