import DataSources
import FoundationEssentials
import Logging

/// One step of the first-boot pipeline (hostname, users, ssh_keys, ...).
///
/// Contract:
/// - `plan` decides whether the plugin has anything to do for this metadata, without
///   changing anything, and returns what it decided as a value of the plugin's own `Plan`
///   type (its `changes` are the lines `--dry-run` prints). `.skip(reason)` is a success
///   with a stated reason.
/// - `apply` carries out exactly that plan: it does not read or validate again what the
///   plan already decided. It must be idempotent: applying twice for the same instance
///   changes nothing the second time. Throwing marks only this plugin failed; the
///   pipeline goes on with the next one.
/// - Plugins write only through `context.writer` / `context.runner`, so `--root` and tests
///   see every effect.
public protocol Plugin: Sendable {
    /// The id used in the `plugins` configuration key.
    var id: String { get }
    /// `.perInstance` runs until it succeeds once per instance id; `.everyBoot` always runs.
    var frequency: PluginFrequency { get }
    /// `.local` plugins configure what must be in place before the network comes up and
    /// run from a local source (a config drive); `.network` plugins run after it.
    var stage: PluginStage { get }
    /// The optional metadata this plugin reads (user data, network, ...): sources fetch
    /// only what the configured plugins need. None by default.
    var needs: MetadataNeeds { get }
    /// What this plugin decided for one run, handed from `plan` to `apply`.
    associatedtype Plan: PlannedChanges
    func plan(_ context: PluginContext) async throws -> PlanDecision<Plan>
    func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome
}

/// A plugin's plan, as `--dry-run` and the run record show it: one human-readable line per
/// change.
public protocol PlannedChanges: Sendable {
    var changes: [String] { get }
}

/// `plan`'s answer: nothing to do (and why), or the plan `apply` carries out.
public enum PlanDecision<Plan: PlannedChanges>: Sendable {
    case skip(String)
    case apply(Plan)
}

public enum PluginFrequency: String, Sendable, Codable {
    case perInstance = "per-instance"
    case everyBoot = "every-boot"
}

/// The two boot stages, run by two systemd units (like cloud-init's local and network stages).
public enum PluginStage: String, Sendable, Codable, CaseIterable {
    /// Before the network: only local sources (a config drive) are read.
    case local
    /// After `network-online.target`: every configured source.
    case network
}

/// What `plan` found, as lines (`describedPlan`, for callers that print or compare it).
public enum PluginPlan: Sendable, Equatable {
    /// Nothing to do, and why (e.g. "metadata has no SSH keys").
    case skip(String)
    /// These changes would be made (one human-readable line each).
    case apply([String])
}

/// What `apply` achieved.
public enum PluginOutcome: Sendable, Equatable {
    case done
    /// Not finished: run again on the next boot for the same instance (e.g. a POST failed).
    case runAgainNextBoot(String)
    /// Done, but a reboot is needed for it to take effect.
    case rebootRequired(String)
}

extension Plugin {
    public var needs: MetadataNeeds { [] }

    /// The plan as lines: `.skip(reason)` or `.apply(changes)`.
    public func describedPlan(_ context: PluginContext) async throws -> PluginPlan {
        switch try await plan(context) {
        case .skip(let reason): .skip(reason)
        case .apply(let plan): .apply(plan.changes)
        }
    }

    /// Plans, then applies that plan (a skip applies nothing and is `.done`): the pipeline's
    /// two steps without its records, for callers outside it.
    public func planAndApply(_ context: PluginContext) async throws -> PluginOutcome {
        switch try await plan(context) {
        case .skip(let reason):
            context.logger.info("skipped", metadata: ["plugin": "\(id)", "reason": "\(reason)"])
            return .done
        case .apply(let plan):
            return try await apply(plan, context)
        }
    }
}
