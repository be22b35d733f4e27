import AgentBase
import DataSources
import FoundationEssentials
import Plugins

/// Renders a run summary for people (`status`) and for tools (`status --json`).
enum StatusReport {
    /// The summary as the state file holds it (same date format), plus
    /// `hostKeyFingerprints` (from the host_keys plugin's saved state) when there are any.
    /// With `progress`, also `bootStatus` (`done`, `failed`, `running`) and, while running,
    /// `bootStatusReason`. With no summary (nothing recorded yet) only those two keys.
    static func json(_ summary: RunSummary?, hostKeyFingerprints: [String] = [], progress: BootProgress? = nil)
        -> String
    {
        let report = StatusJSON(summary: summary, hostKeyFingerprints: hostKeyFingerprints, progress: progress)
        return String(decoding: (try? StateStore.encoder.encode(report)) ?? Data(), as: UTF8.self)
    }

    /// The summary's own keys with a few more beside them.
    private struct StatusJSON: Encodable {
        let summary: RunSummary?
        let hostKeyFingerprints: [String]
        let progress: BootProgress?

        enum Key: String, CodingKey { case hostKeyFingerprints, bootStatus, bootStatusReason }

        func encode(to encoder: any Encoder) throws {
            try summary?.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            if !hostKeyFingerprints.isEmpty {
                try container.encode(hostKeyFingerprints, forKey: .hostKeyFingerprints)
            }
            if let progress {
                try container.encode(progress.name, forKey: .bootStatus)
                try container.encodeIfPresent(progress.reason, forKey: .bootStatusReason)
            }
        }
    }

    /// The one line `status` adds about this boot: `this boot: done`, or `running (why)`.
    static func progressLine(_ progress: BootProgress) -> String {
        TextPreview.escaped("this boot: \(progress.name)" + (progress.reason.map { " (\($0))" } ?? "")) + "\n"
    }

    /// Fingerprints the host_keys plugin saved for the summary's instance (empty if none).
    public static func hostKeyFingerprints(_ summary: RunSummary, store: StateStore) -> [String] {
        guard let instanceID = summary.instanceID, let state = try? store.loadInstance(instanceID) else { return [] }
        return HostKeysState.fingerprints(in: state)
    }

    public static func text(_ summary: RunSummary, hostKeyFingerprints: [String] = []) -> String {
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
            var line =
                "  \(record.plugin.paddedWithSpaces(toLength: 10)) \(stage)\(record.status.rawValue) (\(record.durationMs) ms)"
            if let reason = record.reason { line += ": \(reason)" }
            if let error = record.error { line += ": \(error)" }
            lines.append(line)
            for change in record.changes ?? [] where summary.dryRun { lines.append("      would \(change)") }
        }
        if !hostKeyFingerprints.isEmpty {
            lines.append("host key fingerprints:")
            for fingerprint in hostKeyFingerprints { lines.append("  \(fingerprint)") }
        }
        lines.append("exit code \(summary.exitCode)")
        // Instance ids, sources, reasons and errors come from metadata: one line each.
        return lines.map { TextPreview.escaped($0) }.joined(separator: "\n") + "\n"
    }
}
