import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

/// The account tools, argv only and `--root` aware: the one implementation of making users
/// and groups and installing sudoers rules, used by the users plugin and by cloud-config.
enum AccountTools {
    /// Creates each of `groups` the target root's /etc/group lacks, with `groupadd`
    /// (argv only, `--root` aware, found in the root by `ToolLocator`), as cloud-init does
    /// for a cloud-config user's groups. Names must already be checked (cloud-config's
    /// rule: `[a-z_][a-z0-9_-]*`). Returns the groups it created.
    @discardableResult
    static func createMissingGroups(_ groups: [String], context: PluginContext) async throws -> [String] {
        let database = try GroupDatabase(root: context.root)
        var created: [String] = []
        for group in groups where !database.exists(group) && !created.contains(group) {
            try await context.runner.check(["groupadd"] + rootArguments(context) + ["--", group])
            created.append(group)
            context.logger.info("created group", metadata: ["group": "\(group)"])
        }
        return created
    }

    /// Adds an existing `user` to those of `groups` it is not a member of yet
    /// (`usermod --append --groups`); returns them.
    @discardableResult
    static func addToGroups(_ user: String, _ groups: [String], context: PluginContext) async throws -> [String] {
        let database = try GroupDatabase(root: context.root)
        let missing = groups.filter { !(database.members[$0] ?? []).contains(user) }
        guard !missing.isEmpty else { return [] }
        try await context.runner.check(
            ["usermod"] + rootArguments(context) + ["--append", "--groups", missing.joined(separator: ","), "--", user])
        context.logger.info("added user to groups", metadata: ["user": "\(user)", "groups": "\(missing)"])
        return missing
    }

    /// `--root DIR` for the shadow tools, nothing on the live system.
    static func rootArguments(_ context: PluginContext) -> [String] {
        context.root.isLiveSystem ? [] : ["--root", context.root.hostPath]
    }

    /// `useradd` (argv only, `--root` aware) with a home, a group of its own and `groups`.
    /// `name` must have passed `AdminUser.validate`; `comment` (GECOS) must hold no ':' or
    /// control character.
    static func createUser(
        _ name: String, groups: [String], shell: String = "/bin/bash", comment: String? = nil,
        context: PluginContext
    ) async throws {
        var argv = ["useradd"] + rootArguments(context) + ["--create-home", "--shell", shell, "--user-group"]
        if !groups.isEmpty { argv += ["--groups", groups.joined(separator: ",")] }
        if let comment { argv += ["--comment", comment] }
        try await context.runner.check(argv + ["--", name])
    }

    /// Writes a sudoers drop-in under a name sudo ignores (it skips names with a '.'), has
    /// `visudo -c -f` check it, then writes the same bytes to the real name atomically:
    /// a drop-in sudo would reject (and with it every sudo rule) is never installed.
    static func installSudoers(_ content: Data, at path: String, context: PluginContext) async throws {
        let (directory, name) = SystemRoot.parentAndName(of: path)
        let candidate = directory + "/." + name + ".check"
        let candidateHostPath = try context.root.resolve(candidate)
        try context.writer.write(content, to: candidate, mode: 0o440)
        defer { try? context.writer.remove(candidate) }
        if context.tools.find("visudo") != nil {
            try await context.runner.check(["visudo", "-c", "-q", "-f", candidateHostPath])
        }
        try context.writer.write(content, to: path, mode: 0o440)
    }
}
