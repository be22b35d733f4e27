import DataSources
import FoundationEssentials
import HostEffects

extension UsersPlugin {
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
}
