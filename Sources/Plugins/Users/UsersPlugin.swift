import FoundationEssentials

/// Makes the admin user (`AdminAccount`: created or reused, with a home, the configured or
/// the image's admin group, or a checked sudoers drop-in), with the distribution's own tools.
public struct UsersPlugin: Plugin {
    public let id = "users"
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.network

    public init() {}

    /// The admin account as inspected, with what it lacks.
    public struct Plan: PlannedChanges {
        let account: AdminAccount
        public var changes: [String] { account.changes }
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        let account = try AdminAccount.inspect(context)
        return account.changes.isEmpty
            ? .skip("user \(account.user) exists with its groups") : .apply(Plan(account: account))
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        try await plan.account.ensure(context)
        return .done
    }
}
