import AgentBase
import DataSources
import HostEffects

/// Existing accounts the agent must never take over as the admin user: a system account
/// gets no sudo rule, no password and no keys, and its home is never touched.
///
/// Why by uid and shell rather than by name: images add service accounts of their own
/// (`postgres`, `_chrony`, `nginx`), which no fixed list knows, and metadata naming one of
/// them made the agent chown its home (/etc, /var/lib, /run/systemd), add it to sudo and
/// install keys its nologin shell could not use. root (uid 0) is one of them too: it is
/// never the admin user, and `ssh_keys_for_root` installs its keys by its own path.
enum SystemAccount {
    /// Regular users' uids, as useradd chooses them, when login.defs does not say.
    static let defaultUIDMin: UInt32 = 1000
    static let defaultUIDMax: UInt32 = 60000

    /// Why `entry` is a system account of the target root, or nil when it is an ordinary
    /// user: a uid outside login.defs' UID_MIN...UID_MAX (where useradd puts regular
    /// users), or a shell that refuses logins (`nologin`, `false`). An empty shell is
    /// /bin/sh for login(1), so it is not a refusal.
    static func problem(_ entry: PasswdEntry, loginDefs: LoginDefs, loginDefsPath: String) -> String? {
        let minimum = loginDefs.number("UID_MIN") ?? defaultUIDMin
        let maximum = loginDefs.number("UID_MAX") ?? defaultUIDMax
        if entry.uid < minimum {
            return "its uid \(entry.uid) is below UID_MIN \(minimum) (\(loginDefsPath))"
        }
        if entry.uid > maximum {
            return "its uid \(entry.uid) is above UID_MAX \(maximum) (\(loginDefsPath))"
        }
        let program = SystemRoot.parentAndName(of: entry.shell).name
        if program == "nologin" || program == "false" {
            return "its shell \(entry.shell) does not allow logins"
        }
        return nil
    }

    /// Throws `UserError.systemAccount` naming `name` when it exists in the target's
    /// /etc/passwd and is a system account (`problem`); a user that does not exist yet is
    /// fine (useradd will make an ordinary one). Called before anything changes.
    static func refuse(_ name: String, context: PluginContext) throws {
        guard let entry = try PasswdDatabase.lookUp(name, root: context.root) else { return }
        let loginDefs = try LoginDefs.read(context.writer)
        let path = try context.root.resolve(LoginDefs.path)
        if let why = problem(entry, loginDefs: loginDefs, loginDefsPath: path) {
            throw UserError.systemAccount(name, why)
        }
    }
}
