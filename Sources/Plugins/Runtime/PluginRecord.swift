import FoundationEssentials

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

    public init(
        plugin: String, stage: PluginStage? = nil, status: Status, at: Date, durationMs: Int, reason: String? = nil,
        error: String? = nil, changes: [String]? = nil
    ) {
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
