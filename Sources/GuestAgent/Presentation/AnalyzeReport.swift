import AgentBase
import DataSources
import FoundationEssentials
import Plugins

/// Renders the boot history for `analyze`: per boot, newest first, its stages and then its
/// plugins, each slowest first.
enum AnalyzeReport {
    /// The boots to show, newest first: the history, or for state written before the
    /// history existed, the last run alone.
    static func boots(history: BootHistory?, lastRun: RunSummary?) -> [BootTimings] {
        let summaries = history?.boots ?? lastRun.map { [$0] } ?? []
        return summaries.reversed().map(BootTimings.init)
    }

    static func json(_ boots: [BootTimings]) -> String {
        struct Report: Encodable { let boots: [BootTimings] }
        return String(decoding: (try? StateStore.encoder.encode(Report(boots: boots))) ?? Data(), as: UTF8.self)
    }

    static func text(_ boots: [BootTimings], currentBoot: String?) -> String {
        var lines: [String] = []
        for boot in boots {
            let which = boot.bootID.map { $0 == currentBoot ? "boot \($0) (this boot)" : "boot \($0)" } ?? "boot ?"
            let instance = boot.instanceID.map { "instance \($0) from \(boot.source ?? "?")" } ?? "no metadata source"
            lines.append(
                "\(which), \(instance), \(timestamp(boot.startedAt)): \(milliseconds(boot.durationMs)), exit \(boot.exitCode)"
            )
            lines.append("  " + row("duration", "stage", "discovery / source"))
            for stage in boot.stages {
                let discovery = stage.discoveryMs.map { "discovery \(milliseconds($0))" } ?? "discovery reused"
                lines.append(
                    "  "
                        + row(
                            stage.durationMs.map(milliseconds) ?? "-", stage.stage,
                            "\(discovery), \(stage.source ?? "no source")"))
            }
            lines.append("  " + row("duration", "plugin", "stage, status"))
            for plugin in boot.plugins {
                lines.append(
                    "  "
                        + row(
                            milliseconds(plugin.durationMs), plugin.plugin, "\(plugin.stage ?? "-"), \(plugin.status)"))
            }
            lines.append("")
        }
        // Instance ids and sources come from metadata: one line each.
        return lines.map { TextPreview.escaped($0) }.joined(separator: "\n")
    }

    private static func row(_ duration: String, _ name: String, _ detail: String) -> String {
        String(repeating: " ", count: max(0, 10 - duration.count)) + duration + "  "
            + name.paddedWithSpaces(toLength: 10) + " " + detail
    }

    private static func milliseconds(_ value: Int) -> String { "\(value) ms" }

    private static func timestamp(_ date: Date) -> String {
        UTCTimestamp.format(secondsSinceEpoch: Int(date.timeIntervalSince1970.rounded(.down)))
    }
}
