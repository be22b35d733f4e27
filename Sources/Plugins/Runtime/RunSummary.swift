import FoundationEssentials

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
    /// When the stage began; nil in summaries written before stages were timed. (Dates in
    /// the state files have whole seconds, so durations are kept in ms beside them.)
    public var startedAt: Date?
    /// The stage's wall time, discovery included, ms; nil before stages were timed.
    public var durationMs: Int?
    /// How long this stage's discovery took, ms; nil when it reused the earlier stage's source.
    public var discoveryMs: Int?

    public init(
        stage: PluginStage, source: String?, note: String, exitCode: Int32, startedAt: Date? = nil,
        durationMs: Int? = nil, discoveryMs: Int? = nil
    ) {
        self.stage = stage
        self.source = source
        self.note = note
        self.exitCode = exitCode
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.discoveryMs = discoveryMs
    }
}
