import Foundation

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

    public init(
        instanceID: String?, source: String?, startedAt: Date, finishedAt: Date, exitCode: Int32,
        dryRun: Bool, sourcesTried: [String], plugins: [PluginRecord], stages: [StageNote]? = nil,
        bootID: String? = nil
    ) {
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
    /// When the stage began (discovery included) and ended; nil in summaries written
    /// before stages were timed (`analyze` then shows no stage duration).
    public var startedAt: Date?
    public var finishedAt: Date?
    /// How long this stage's discovery took, ms; nil when it reused the earlier stage's source.
    public var discoveryMs: Int?

    public init(
        stage: PluginStage, source: String?, note: String, exitCode: Int32, startedAt: Date? = nil,
        finishedAt: Date? = nil, discoveryMs: Int? = nil
    ) {
        self.stage = stage
        self.source = source
        self.note = note
        self.exitCode = exitCode
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.discoveryMs = discoveryMs
    }

    /// The stage's wall time in ms, when it was timed.
    public var durationMs: Int? {
        guard let startedAt, let finishedAt else { return nil }
        return Int(finishedAt.timeIntervalSince(startedAt) * 1000)
    }
}
