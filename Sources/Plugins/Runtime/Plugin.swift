import DataSources
import FoundationEssentials
import Logging

/// One step of the first-boot pipeline (hostname, users, ssh_keys, ...).
///
/// Contract:
/// - `plan` decides whether the plugin has anything to do for this metadata and says what
///   it would change, without changing anything (it backs `--dry-run`). `.skip(reason)`
///   is a success with a stated reason.
/// - `apply` makes the changes. It must be idempotent: applying twice for the same
///   instance changes nothing the second time. Throwing marks only this plugin failed;
///   the pipeline goes on with the next one.
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
    func plan(_ context: PluginContext) async throws -> PluginPlan
    func apply(_ context: PluginContext) async throws -> PluginOutcome
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

/// What `plan` found.
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
}
