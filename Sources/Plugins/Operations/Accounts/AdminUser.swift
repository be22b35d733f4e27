/// The admin user's name: the user data's cloud-config `user:` first (the instance's owner
/// wrote it for this instance), then `meta.admin_username` from metadata, then the configured
/// `username`. Shared by the users, password and ssh_keys plugins so they always agree.
public enum AdminUser {
    /// System accounts the cloud must never be able to take over.
    static let reserved: Set<String> = [
        "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data",
        "backup", "list", "irc", "gnats", "nobody", "systemd-network", "systemd-resolve", "systemd-timesync",
        "messagebus", "sshd", "_apt", "polkitd", "halt", "shutdown", "operator", "adm", "sudo", "wheel",
    ]

    /// The validated admin user name for this run: a name `validate` accepts that is not
    /// an existing system account of the target root (`SystemAccount`). Every plugin that
    /// acts for the admin user (users, password, ssh_keys, cloud-config) asks here, so a
    /// refusal stops each of them before it changes anything.
    ///
    /// One exception: the user data's `user: root` (Proxmox VE writes it for `ciuser: root`)
    /// makes root the default user, as in cloud-init: its password and keys are set, no
    /// account, group or sudo rule is made. The user data's author runs code as root anyway
    /// (`runcmd`), so this gives nothing new; metadata's `admin_username: root` stays refused.
    public static func name(for context: PluginContext) throws -> String {
        if context.defaultUserName == "root" { return "root" }
        let name = try validate(
            context.defaultUserName ?? context.metadata.adminUsername ?? context.config.account.username)
        try SystemAccount.refuse(name, context: context)
        return name
    }

    /// What a name may hold, for the messages of `validate`.
    public static let allowedText = "no ':', ',', '/', whitespace, control or non-ASCII characters"

    /// Refuses, before any command runs and with the value shown escaped, only what is
    /// unsafe for the agent itself; the rest is the image's useradd's to judge (its refusal
    /// is reported like any failed command), as cloud-init does. Debian's useradd creates
    /// `Admin` (cloudbase-init's default user, common on images that also serve Windows),
    /// `first.last` or `x$`. Metadata is untrusted; refused are:
    /// - empty, `.` and `..`, and longer than 32 bytes (utmp's `ut_user`: login records,
    ///   `who` and `last` would cut it, and useradd refuses it);
    /// - `:` (the field separator of /etc/passwd, /etc/shadow and chpasswd's input), `,`
    ///   (/etc/group lists members with commas: `a,b` in sudo would make `a` a member) and
    ///   `/` (home directories and file names are made from names);
    /// - whitespace and control characters: argv carries them safely, but logs, `status`
    ///   and sudoers are read by lines and words;
    /// - a leading `-` (tools read it as an option), `+` (a NIS compat entry in
    ///   /etc/passwd: `+name` pulls in a NIS user the agent would take for a local one) or
    ///   `#` (glibc's lookups skip such lines of /etc/passwd as comments: an account nobody
    ///   could log in to, which the agent would report as made);
    /// - all digits (tools read a number as a uid: `chown`, `sudo -u`, `su`);
    /// - non-ASCII: Swift compares strings by canonical equivalence, so `\u{212A}im` (a
    ///   Kelvin sign) equals `Kim` in the agent's own lookups while naming another account
    ///   in the files; no distribution's useradd takes such names without `--badname`;
    /// - the system accounts in `reserved`, whatever /etc/passwd says (`name(for:)` also
    ///   refuses the existing ones it finds there by uid and shell: `SystemAccount`).
    /// Names sudoers would misread (`ALL`, `%group`) are quoted or refused where a sudoers
    /// rule is written (`SudoersRule`).
    public static func validate(_ name: String) throws -> String {
        let shown = HostnameValidator.preview(name)
        func refuse(_ why: String) -> UserError { .invalidName(shown, why) }
        guard !name.isEmpty else { throw refuse("it is empty") }
        guard name != ".", name != ".." else { throw refuse("it is '.' or '..'") }
        guard name.utf8.count <= 32 else { throw refuse("it is longer than 32 bytes (the utmp limit)") }
        if let bad = name.unicodeScalars.first(where: {
            !(0x21...0x7E).contains($0.value) || ":,/".unicodeScalars.contains($0)
        }) {
            throw refuse("it contains \(HostnameValidator.describe(bad)) (\(allowedText))")
        }
        guard !name.hasPrefix("-") else { throw refuse("it starts with '-' (tools would read it as an option)") }
        guard !name.hasPrefix("+") else { throw refuse("it starts with '+' (a NIS entry in /etc/passwd)") }
        guard !name.hasPrefix("#") else { throw refuse("it starts with '#' (a comment in /etc/passwd for the system)") }
        guard !name.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw refuse("it is all digits (tools would read it as a uid)")
        }
        guard !reserved.contains(name) else { throw refuse("it is a system account") }
        return name
    }
}

public enum UserError: Error, CustomStringConvertible, Equatable {
    case invalidName(String, String)
    case unknownGroups([String], group: String)
    case unsafePassword(String)
    /// After chpasswd reported success, `shadow` does not hold the password (see `why`).
    case passwordNotSet(user: String, shadow: String, why: String)
    /// The admin user names an existing system account (see `why`).
    case systemAccount(String, String)

    public var description: String {
        switch self {
        case .passwordNotSet(let user, let shadow, let why):
            "the password of \(user) was not set: \(shadow) does not hold it after chpasswd ran (\(why))"
        case .invalidName(let name, let why): "refusing user name '\(name)': \(why)"
        case .systemAccount(let name, let why):
            "refusing to use the existing account '\(name)' as the admin user: \(why); it is a system account"
        case .unknownGroups(let groups, let file): "group(s) \(groups.joined(separator: ", ")) do not exist in \(file)"
        case .unsafePassword(let why): "refusing to set the password: \(why)"
        }
    }
}
