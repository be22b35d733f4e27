import AgentBase
import DataSources
import FoundationEssentials

/// cloud-config `final_message` with cloud-init's placeholders: `$UPTIME` (seconds since
/// the running kernel booted, as `/proc/uptime` has it), `$TIMESTAMP` (now, RFC 2822, UTC),
/// `$DATASOURCE` (the source that gave the metadata: `openstack`, `ec2`, `configdrive`) and
/// `$VERSION` (the agent's), each also as `${NAME}` and in lower case, as cloud-init
/// accepts them. Anything else after a `$` is left as written. Unlike cloud-init a name
/// stops at a '.', so "$VERSION." ends a sentence (cloud-init reads a dotted path there
/// and fails the whole message).
enum FinalMessage {
    /// `template` with every known placeholder replaced by its value in `values` (keys in
    /// lower case).
    static func render(_ template: String, values: [String: String]) -> String {
        template.replacing(/\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z0-9_]+)/) { match in
            let name = String(match.output.1 ?? match.output.2 ?? "")
            // cloud-init knows each name in lower and in upper case, not mixed.
            guard name == name.lowercased() || name == name.uppercased(), let value = values[name.lowercased()]
            else { return String(match.output.0) }
            return value
        }
    }

    /// The placeholders' values for this run.
    static func values(
        for context: PluginContext, now: Date = Date(), uptimeFile: String = "/proc/uptime"
    ) -> [String: String] {
        [
            "uptime": uptime(from: uptimeFile) ?? "unknown",
            "timestamp": rfc2822(now),
            "datasource": context.metadata.sourceID,
            "version": AgentVersion.current,
        ]
    }

    /// The first field of `/proc/uptime` (the running kernel's, also under `--root`: the
    /// image's own /proc says nothing about this boot).
    static func uptime(from path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let first = text.split(separator: " ").first, Double(first) != nil
        else { return nil }
        return String(first)
    }

    /// "Mon, 23 Nov 2026 07:27:28 +0000", as cloud-init's `time_rfc2822` prints it (UTC).
    static func rfc2822(_ date: Date) -> String {
        UTCTimestamp.rfc2822(secondsSinceEpoch: Int(date.timeIntervalSince1970.rounded(.down)))
    }
}
