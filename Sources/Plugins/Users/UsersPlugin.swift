import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// Creates the admin user (or reuses an existing one) with a home directory and the
/// configured groups, using the distribution's own tools (argv only, `--root` aware).
///
/// Groups: `groups` from the configuration; when empty, the target's admin group (sudo,
/// else wheel). When the target has neither, the user gets a sudoers drop-in instead
/// (`NAME ALL=(ALL:ALL) ALL`: sudo with the user's password, never NOPASSWD), checked
/// with `visudo -c` before it is installed.
///
/// An existing user whose home is missing or owned by someone else (a run killed inside
/// useradd) gets it repaired (`HomeDirectory`).
public struct UsersPlugin: Plugin {
    public let id = "users"
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.network
    static let sudoersDropIn = "/etc/sudoers.d/90-guest-agent-users"

    public init() {}

    struct Decision: Equatable {
        var user: String
        var exists: Bool
        var groups: [String]
        var missingGroups: [String]
        var needsSudoers: Bool
        /// The existing user's passwd entry and what its home needs (nil: nothing).
        var entry: PasswdEntry?
        var homeRepair: HomeDirectory.Repair?
    }

    func decide(_ context: PluginContext) throws -> Decision {
        let user = try AdminUser.name(for: context)
        let database = try GroupDatabase(root: context.root)
        var groups = context.config.groups
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
        let installed = try context.writer.read(Self.sudoersDropIn)
        let needsSudoers = try groups.isEmpty && sudoersDirectory && installed != Data(Self.sudoersLine(user).utf8)
        return Decision(
            user: user, exists: exists, groups: groups, missingGroups: missing, needsSudoers: needsSudoers,
            entry: entry, homeRepair: homeRepair)
    }

    public func plan(_ context: PluginContext) async throws -> PluginPlan {
        let decision = try decide(context)
        var changes: [String] = []
        if !decision.exists {
            changes.append(
                "create user \(decision.user)"
                    + (decision.groups.isEmpty ? "" : " in \(decision.groups.joined(separator: ", "))"))
        } else if !decision.missingGroups.isEmpty {
            changes.append("add existing user \(decision.user) to \(decision.missingGroups.joined(separator: ", "))")
        }
        if let entry = decision.entry, let repair = decision.homeRepair {
            changes.append(HomeDirectory.describe(repair, of: entry))
        }
        if decision.needsSudoers { changes.append("install \(Self.sudoersDropIn) for \(decision.user)") }
        return changes.isEmpty ? .skip("user \(decision.user) exists with its groups") : .apply(changes)
    }

    public func apply(_ context: PluginContext) async throws -> PluginOutcome {
        let decision = try decide(context)
        if !decision.exists {
            try await Self.createUser(decision.user, groups: decision.groups, context: context)
            context.logger.info("created user", metadata: ["user": "\(decision.user)", "groups": "\(decision.groups)"])
        } else if !decision.missingGroups.isEmpty {
            try await Self.addToGroups(decision.user, decision.missingGroups, context: context)
        }
        // Also after useradd: it leaves a home that already existed with its old owner.
        if let entry = try PasswdDatabase.lookUp(decision.user, root: context.root) {
            try HomeDirectory.ensure(for: entry, context: context)
        }
        if decision.needsSudoers { try await installSudoers(for: decision.user, context: context) }
        return .done
    }

    /// The drop-in's rule; throws for a name sudoers cannot be made to read as that user.
    static func sudoersLine(_ user: String) throws -> String { "\(try SudoersRule.user(user)) ALL=(ALL:ALL) ALL\n" }

    /// `useradd` (argv only, `--root` aware) with a home, a group of its own and `groups`:
    /// the one implementation, also used by cloud-config `users`. `name` must have passed
    /// `AdminUser.validate`; `comment` (GECOS) must hold no ':' or control character.
    static func createUser(
        _ name: String, groups: [String], shell: String = "/bin/bash", comment: String? = nil,
        context: PluginContext
    ) async throws {
        var argv = ["useradd"] + rootArguments(context) + ["--create-home", "--shell", shell, "--user-group"]
        if !groups.isEmpty { argv += ["--groups", groups.joined(separator: ",")] }
        if let comment { argv += ["--comment", comment] }
        try await context.runner.check(argv + ["--", name])
    }

    private func installSudoers(for user: String, context: PluginContext) async throws {
        try await Self.installSudoers(Data(try Self.sudoersLine(user).utf8), at: Self.sudoersDropIn, context: context)
    }

    /// Writes a sudoers drop-in under a name sudo ignores (it skips names with a '.'), has
    /// `visudo -c -f` check it, then writes the same bytes to the real name atomically:
    /// a drop-in sudo would reject (and with it every sudo rule) is never installed.
    static func installSudoers(_ content: Data, at path: String, context: PluginContext) async throws {
        let (directory, name) = SystemRoot.parentAndName(of: path)
        let candidate = directory + "/." + name + ".check"
        let candidateHostPath = try context.root.resolve(candidate)
        try context.writer.write(content, to: candidate, mode: 0o440)
        defer { try? FileManager.default.removeItem(atPath: candidateHostPath) }
        if context.tools.find("visudo") != nil {
            try await context.runner.check(["visudo", "-c", "-q", "-f", candidateHostPath])
        }
        try context.writer.write(content, to: path, mode: 0o440)
    }
}
