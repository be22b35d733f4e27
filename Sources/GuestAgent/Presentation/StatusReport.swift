import Foundation
import Plugins

/// Renders a run summary for people (`status`) and for tools (`status --json`).
enum StatusReport {
    public static func json(_ summary: RunSummary) -> String {
        String(decoding: (try? StateStore.encoder.encode(summary)) ?? Data(), as: UTF8.self)
    }

    public static func text(_ summary: RunSummary) -> String {
        var lines: [String] = []
        let mode = summary.dryRun ? " (dry run: nothing changed)" : ""
        if let instance = summary.instanceID {
            lines.append("instance \(instance) from \(summary.source ?? "?")\(mode)")
        } else {
            lines.append("no metadata source found\(mode)")
        }
        for attempt in summary.sourcesTried { lines.append("  source \(attempt)") }
        for note in summary.stages ?? [] { lines.append("  stage \(note.stage.rawValue): \(note.note)") }
        for record in summary.plugins {
            let stage = record.stage.map { "[\($0.rawValue)] " } ?? ""
            var line = "  \(record.plugin.padding(toLength: 10, withPad: " ", startingAt: 0)) \(stage)\(record.status.rawValue) (\(record.durationMs) ms)"
            if let reason = record.reason { line += ": \(reason)" }
            if let error = record.error { line += ": \(error)" }
            lines.append(line)
            for change in record.changes ?? [] where summary.dryRun { lines.append("      would \(change)") }
        }
        lines.append("exit code \(summary.exitCode)")
        return lines.joined(separator: "\n") + "\n"
    }
}
