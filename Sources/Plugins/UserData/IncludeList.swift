import AgentBase
import DataSources
import FoundationEssentials

/// One URL named by an include part, and whether it is fetched once per instance.
struct IncludeEntry: Equatable, Sendable {
    var url: URL
    var once: Bool

    /// The URL for logs and errors, its query cut: a pre-signed URL's query is a secret.
    var display: String { IncludeEntry.display(url) }

    static func display(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "(a URL)" }
        let hadQuery = components.query != nil
        components.query = nil
        components.fragment = nil
        components.user = nil
        components.password = nil
        return TextPreview.line((components.string ?? "(a URL)") + (hadQuery ? "?..." : ""))
    }
}

/// The URLs of an include part, read as cloud-init reads them: one per line; blank lines
/// and other `#` lines are skipped; a `#include` or `#include-once` line switches the mode
/// for itself and the lines after it, and may carry a URL after the marker. A
/// `text/x-include-once-url` part starts in "once" mode. Only `http` and `https` URLs with
/// a host are fetched; any other line is a problem naming its line number.
struct IncludeList: Equatable, Sendable {
    var entries: [IncludeEntry] = []
    var problems: [String] = []

    init(_ content: Data, once initial: Bool) {
        var once = initial
        let text = String(decoding: content, as: UTF8.self)
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            if offset == 0, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            let lower = line.lowercased()
            if lower.hasPrefix("#include-once") {
                once = true
                line = line.dropFirst("#include-once".count)
            } else if lower.hasPrefix("#include") {
                once = false
                line = line.dropFirst("#include".count)
            }
            let candidate = line.trimmingWhitespace()
            if candidate.isEmpty || candidate.hasPrefix("#") { continue }
            guard let url = URL(string: candidate), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                url.host?.isEmpty == false
            else {
                problems.append(
                    "line \(offset + 1) ('\(TextPreview.line(candidate, limit: 80))') is not an http or https URL")
                continue
            }
            entries.append(IncludeEntry(url: url, once: once))
        }
    }
}
