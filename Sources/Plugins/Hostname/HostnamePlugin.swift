import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Sets the host name from metadata: `/etc/hostname`, the agent's line in `/etc/hosts`,
/// and the live host name (`context.liveHostname`) when acting on the running system.
public struct HostnamePlugin: Plugin {
    public let id = "hostname"
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.local

    public init() {}

    /// The validated name to set.
    public struct Plan: PlannedChanges {
        let name: HostnameValidator.Result
        public let changes: [String]
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        guard let name = try HostnameOperations.metadataName(context) else {
            return .skip("metadata has no usable host name")
        }
        var changes = ["write /etc/hostname: \(name.shortName)"]
        if context.config.manageEtcHosts {
            changes.append("set the guest-agent line in /etc/hosts: \(name.fqdn ?? name.shortName)")
        }
        if context.liveHostname != nil { changes.append("set the running host name to \(name.shortName)") }
        return .apply(Plan(name: name, changes: changes))
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        try HostnameOperations.set(plan.name, context: context)
        return .done
    }
}
