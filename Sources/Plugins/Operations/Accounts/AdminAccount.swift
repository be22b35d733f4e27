import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

/// The admin account: made (or an existing one reused) with a home directory and the
/// configured groups, using the distribution's own tools. The one implementation behind the
/// users plugin and cloud-config's `users: [default]`.
///
/// Groups: `groups` from the configuration; when empty, the target's admin group (sudo,
/// else wheel). When the target has neither, the user gets a sudoers drop-in instead
/// (`NAME ALL=(ALL:ALL) ALL`: sudo with the user's password, never NOPASSWD), checked
/// with `visudo -c` before it is installed.
///
/// An existing user whose home is missing or owned by someone else (a run killed inside
/// useradd) gets it repaired (`HomeDirectory`).
struct AdminAccount: Equatable {
    static let sudoersDropIn = "/etc/sudoers.d/90-guest-agent-users"

    var user: String
    var exists: Bool
    var groups: [String]
    var missingGroups: [String]
    var needsSudoers: Bool
    /// The existing user's passwd entry and what its home needs (nil: nothing).
    var entry: PasswdEntry?
    var homeRepair: HomeDirectory.Repair?

    /// What the root holds now and what the account needs.
    static func inspect(_ context: PluginContext) throws -> AdminAccount {
        let user = try AdminUser.name(for: context)
        if user == "root" {
            // The user data made root the default user: it exists and needs no admin group.
            return AdminAccount(user: user, exists: true, groups: [], missingGroups: [], needsSudoers: false)
        }
        let database = try GroupDatabase(root: context.root)
        var groups = context.config.account.groups
        if groups.isEmpty, let admin = database.adminGroup { groups = [admin] }
        let unknown = groups.filter { !database.exists($0) }
        guard unknown.isEmpty else {
            throw UserError.unknownGroups(unknown, group: try context.root.resolve("/etc/group"))
        }
        let entry = try PasswdDatabase.lookUp(user, root: context.root)
        let exists = entry != nil
        let homeRepair = try entry.flatMap { try HomeDirectory.inspect($0, root: context.root) }
        let missing = exists ? groups.filter { !(database.members[$0] ?? []).contains(user) } : groups
        let sudoersDirectory = FileManager.default.fileExists(atPath: try context.root.resolve("/etc/sudoers.d"))
        let installed = try context.writer.read(sudoersDropIn)
        let needsSudoers = try groups.isEmpty && sudoersDirectory && installed != Data(sudoersLine(user).utf8)
        return AdminAccount(
            user: user, exists: exists, groups: groups, missingGroups: missing, needsSudoers: needsSudoers,
            entry: entry, homeRepair: homeRepair)
    }

    /// What `ensure` would change, one line each; empty when the account is as it should be.
    var changes: [String] {
        var changes: [String] = []
        if !exists {
            changes.append("create user \(user)" + (groups.isEmpty ? "" : " in \(groups.joined(separator: ", "))"))
        } else if !missingGroups.isEmpty {
            changes.append("add existing user \(user) to \(missingGroups.joined(separator: ", "))")
        }
        if let entry, let homeRepair { changes.append(HomeDirectory.describe(homeRepair, of: entry)) }
        if needsSudoers { changes.append("install \(Self.sudoersDropIn) for \(user)") }
        return changes
    }

    /// Makes the account what `inspect` found it needs.
    func ensure(_ context: PluginContext) async throws {
        if !exists {
            try await AccountTools.createUser(user, groups: groups, context: context)
            context.logger.info("created user", metadata: ["user": "\(user)", "groups": "\(groups)"])
        } else if !missingGroups.isEmpty {
            try await AccountTools.addToGroups(user, missingGroups, context: context)
        }
        // Also after useradd: it leaves a home that already existed with its old owner.
        if let entry = try PasswdDatabase.lookUp(user, root: context.root) {
            try HomeDirectory.ensure(for: entry, context: context)
        }
        if needsSudoers {
            try await AccountTools.installSudoers(
                Data(try Self.sudoersLine(user).utf8), at: Self.sudoersDropIn, context: context)
        }
    }

    /// The drop-in's rule; throws for a name sudoers cannot be made to read as that user.
    static func sudoersLine(_ user: String) throws -> String { "\(try SudoersRule.user(user)) ALL=(ALL:ALL) ALL\n" }
}
