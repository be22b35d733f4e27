import Foundation

/// What happened to one plugin (the `status --json` row).
public struct PluginRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case done, skipped, failed
        case alreadyDone = "already-done"
        case runAgain = "run-again"
        case rebootRequired = "reboot-required"
        case wouldApply = "would-apply"
    }

    public var plugin: String
    /// The stage that ran it (nil in summaries written before stages existed).
    public var stage: PluginStage?
    public var status: Status
    public var at: Date
    public var durationMs: Int
    public var reason: String?
    public var error: String?
    public var changes: [String]?

    public init(plugin: String, stage: PluginStage? = nil, status: Status, at: Date, durationMs: Int, reason: String? = nil,
                error: String? = nil, changes: [String]? = nil) {
        self.plugin = plugin
        self.stage = stage
        self.status = status
        self.at = at
        self.durationMs = durationMs
        self.reason = reason
        self.error = error
        self.changes = changes
    }
}

/// Per-instance state: which plugins are done, and what plugins saved for later boots.
public struct InstanceState: Codable, Sendable, Equatable {
    public var instanceID: String
    public var completedPlugins: [String: Date] = [:]
    public var pendingPlugins: [String: String] = [:]
    /// Each plugin's own saved state (its `Codable` type, as JSON).
    public var pluginData: [String: JSONValue] = [:]
    /// The boot (kernel boot id) in which the local stage last ran for this instance: the
    /// network stage of that boot leaves the local-stage plugins alone.
    public var localStageBoot: String?

    public init(instanceID: String) {
        self.instanceID = instanceID
    }
}

/// The last run, as `guest-agent status` shows it.
public struct RunSummary: Codable, Sendable, Equatable {
    public var instanceID: String?
    public var source: String?
    public var startedAt: Date
    public var finishedAt: Date
    public var exitCode: Int32
    public var dryRun: Bool
    public var sourcesTried: [String]
    public var plugins: [PluginRecord]
    /// Per stage of this boot: what it found or why it ended early (`local: no config drive ...`).
    public var stages: [StageNote]?
    /// Kernel boot id of the run, so the network stage can add to its boot's local stage.
    public var bootID: String?

    public init(instanceID: String?, source: String?, startedAt: Date, finishedAt: Date, exitCode: Int32,
                dryRun: Bool, sourcesTried: [String], plugins: [PluginRecord], stages: [StageNote]? = nil,
                bootID: String? = nil) {
        self.stages = stages
        self.bootID = bootID
        self.instanceID = instanceID
        self.source = source
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.dryRun = dryRun
        self.sourcesTried = sourcesTried
        self.plugins = plugins
    }
}

/// One stage's line in the summary.
public struct StageNote: Codable, Sendable, Equatable {
    public var stage: PluginStage
    public var source: String?
    public var note: String
    public var exitCode: Int32

    public init(stage: PluginStage, source: String?, note: String, exitCode: Int32) {
        self.stage = stage
        self.source = source
        self.note = note
        self.exitCode = exitCode
    }
}
