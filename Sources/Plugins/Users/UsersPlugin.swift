import FoundationEssentials

/// Makes the admin user (`AdminAccount`: created or reused, with a home, the configured or
/// the image's admin group, or a checked sudoers drop-in), with the distribution's own tools.
public struct UsersPlugin: Plugin {
    public let id = "users"
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.network

    public init() {}

    public func plan(_ context: PluginContext) async throws -> PluginPlan {
        let account = try AdminAccount.inspect(context)
        let changes = account.changes
        return changes.isEmpty ? .skip("user \(account.user) exists with its groups") : .apply(changes)
    }

    public func apply(_ context: PluginContext) async throws -> PluginOutcome {
        try await AdminAccount.inspect(context).ensure(context)
        return .done
    }
}
