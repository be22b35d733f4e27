import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// Installs the metadata's SSH public keys into the admin user's (and optionally root's)
/// `~/.ssh/authorized_keys`: directory 0700 and file 0600 owned by the user, written
/// atomically, with the agent managing only its own marked block. A home that is missing
/// or owned by someone else is repaired first (`HomeDirectory`), so that ~/.ssh never
/// makes a root-owned home without /etc/skel.
public struct SSHKeysPlugin: Plugin {
    public let id = "ssh_keys"
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.network

    public init() {}

    func acceptedKeys(_ context: PluginContext) -> (keys: [String], refused: [String]) {
        var keys: [String] = []
        var refused = context.metadata.refusedKeys
        for entry in context.metadata.publicKeys {
            if let problem = AuthorizedKeyFilter.problem(entry.line) {
                refused.append("key '\(HostnameValidator.preview(entry.name))' \(problem)")
            } else if !keys.contains(entry.line) {
                keys.append(entry.line)
            }
        }
        return (keys, refused)
    }

    /// The admin user, then root when `ssh_keys_for_root` or the user data's `disable_root`
    /// (either value) asks for it.
    func targetUsers(_ context: PluginContext) throws -> [String] {
        var users = [try AdminUser.name(for: context)]
        let forRoot = context.userDataOverrides.disableRoot != nil || context.config.sshKeysForRoot
        if forRoot && !users.contains("root") { users.append("root") }
        return users
    }

    /// The key lines for `user`: for root under the user data's `disable_root: true`, each
    /// prefixed with cloud-init's options, so a login as root prints the user to log in as
    /// and ends (exit 142) instead of opening a shell.
    static func lines(_ keys: [String], for user: String, admin: String, context: PluginContext) -> [String] {
        guard user == "root", user != admin, context.userDataOverrides.disableRoot == true else { return keys }
        let options =
            "no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command=\"echo 'Please login as the user \\\"\(admin)\\\" rather than the user \\\"root\\\".';echo;sleep 10;exit 142\""
        return keys.map { options + " " + $0 }
    }

    /// The accepted keys, the users to install them for (each looked up, nil when missing:
    /// `apply` names it), the admin user, and the refused keys to report.
    public struct Plan: PlannedChanges {
        let keys: [String]
        let refused: [String]
        let admin: String
        let users: [(name: String, entry: PasswdEntry?)]
        public let changes: [String]
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        let (keys, refused) = acceptedKeys(context)
        guard !keys.isEmpty else {
            return .skip(
                refused.isEmpty ? "metadata has no SSH keys" : "no usable SSH keys: \(refused.joined(separator: "; "))")
        }
        var changes: [String] = []
        var users: [(name: String, entry: PasswdEntry?)] = []
        for name in try targetUsers(context) {
            // A missing user is reported by apply, with the hint to enable the users plugin.
            let entry = try PasswdDatabase.lookUp(name, root: context.root)
            if let entry, let repair = try HomeDirectory.inspect(entry, root: context.root) {
                changes.append(HomeDirectory.describe(repair, of: entry))
            }
            users.append((name, entry))
            changes.append("install \(keys.count) key(s) for \(name)")
        }
        return .apply(
            Plan(keys: keys, refused: refused, admin: try AdminUser.name(for: context), users: users, changes: changes))
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        for (name, entry) in plan.users {
            guard let user = entry else {
                throw SSHKeysError.noSuchUser(name, passwd: try context.root.resolve("/etc/passwd"))
            }
            try HomeDirectory.ensure(for: user, context: context)
            try AuthorizedKeys.install(
                Self.lines(plan.keys, for: name, admin: plan.admin, context: context), for: user, context: context)
        }
        for problem in plan.refused { context.logger.warning("SSH key refused", metadata: ["reason": "\(problem)"]) }
        return .done
    }
}
