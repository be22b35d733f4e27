import FoundationEssentials
import Plugins

/// One boot's timings, slowest first, as `analyze` shows them (and prints with `--json`).
struct BootTimings: Encodable, Equatable {
    struct Stage: Encodable, Equatable {
        var stage: String
        var source: String?
        var durationMs: Int?
        var discoveryMs: Int?
        var startedAt: Date?
    }

    struct PluginTiming: Encodable, Equatable {
        var plugin: String
        var stage: String?
        var status: String
        var durationMs: Int
    }

    var bootID: String?
    var instanceID: String?
    var source: String?
    var startedAt: Date
    /// The agent's own time in this boot: the sum of its stages (the time between the two
    /// units, while the network comes up, is not the agent's); the run's span when the
    /// summary predates stage times.
    var durationMs: Int
    var exitCode: Int32
    var stages: [Stage]
    var plugins: [PluginTiming]

    init(_ summary: RunSummary) {
        let notes = summary.stages ?? []
        startedAt = min(summary.startedAt, notes.compactMap(\.startedAt).min() ?? summary.startedAt)
        let stageTimes = notes.compactMap(\.durationMs)
        durationMs =
            stageTimes.isEmpty
            ? Int(summary.finishedAt.timeIntervalSince(summary.startedAt) * 1000) : stageTimes.reduce(0, +)
        bootID = summary.bootID
        instanceID = summary.instanceID
        source = summary.source
        exitCode = summary.exitCode
        stages = notes.map {
            Stage(
                stage: $0.stage.rawValue, source: $0.source, durationMs: $0.durationMs, discoveryMs: $0.discoveryMs,
                startedAt: $0.startedAt)
        }.sorted { ($0.durationMs ?? -1) > ($1.durationMs ?? -1) }
        plugins = summary.plugins.map {
            PluginTiming(
                plugin: $0.plugin, stage: $0.stage?.rawValue, status: $0.status.rawValue, durationMs: $0.durationMs)
        }.sorted { $0.durationMs > $1.durationMs }
    }
}
