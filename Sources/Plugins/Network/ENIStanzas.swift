/// Edits of ifupdown `interfaces(5)` text: comments out the image's stanzas for our
/// interfaces (reversibly, with a marker), and tells whether our file is sourced.
enum ENIStanzas {
    static let stanzaKeywords: Set<String> = [
        "iface", "auto", "mapping", "source", "source-directory", "allow-auto", "allow-hotplug", "no-auto-down",
        "no-scripts", "rename",
    ]

    static func disable(_ text: String, names: [String], marker: String) -> (text: String, notes: [String]) {
        var output: [String] = []
        var notes: [String] = []
        var inOurStanza = false
        let ours = Set(names)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let keyword = words.first ?? ""
            if stanzaKeywords.contains(keyword) || keyword.hasPrefix("allow-") {
                inOurStanza = false
                if keyword == "iface" || keyword == "mapping", words.count > 1, ours.contains(words[1]) {
                    inOurStanza = true
                    notes.append("disabled '\(line.trimmingWhitespace())'")
                    output.append(marker + line)
                    continue
                }
                if keyword == "auto" || keyword.hasPrefix("allow-") {
                    let listed = words.dropFirst()
                    let kept = listed.filter { !ours.contains($0) }
                    if kept.count != listed.count {
                        notes.append("disabled '\(line.trimmingWhitespace())'")
                        output.append(marker + line)
                        if !kept.isEmpty { output.append(([keyword] + kept).joined(separator: " ")) }
                        continue
                    }
                }
                output.append(line)
            } else if inOurStanza && !line.trimmingWhitespace().isEmpty && !line.hasPrefix("#") {
                output.append(marker + line)
            } else {
                output.append(line)
            }
        }
        return (output.joined(separator: "\n"), notes)
    }

    /// True when an uncommented `source`/`source-directory` line covers interfaces.d/50-guest-agent.
    static func sourcesOurFile(_ text: String) -> Bool {
        text.split(separator: "\n").contains { raw in
            let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.count >= 2 else { return false }
            switch words[0] {
            case "source":
                return [ENIRenderer.path, "/etc/network/interfaces.d/*", "interfaces.d/*"].contains(words[1])
            case "source-directory":
                return ["/etc/network/interfaces.d", "/etc/network/interfaces.d/", "interfaces.d"].contains(words[1])
            default: return false
            }
        }
    }
}
