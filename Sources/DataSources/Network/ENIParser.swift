import AgentBase

/// One `iface NAME FAMILY METHOD` stanza of ifupdown `interfaces(5)` text, with its option
/// lines in order.
struct ENIStanza: Sendable, Equatable {
    struct Option: Sendable, Equatable {
        /// The option name as written (`dns-nameservers`, `bridge_ports`).
        var name: String
        var values: [String]
        var line: Int
    }

    var name: String
    var family: String
    var method: String
    /// 1-based line of the `iface` line.
    var line: Int
    var options: [Option] = []

    /// The device the stanza configures: `eth0` for the alias `eth0:1`.
    var device: String { String(name.split(separator: ":", maxSplits: 1).first ?? Substring(name)) }

    /// Subject for messages: `ENI iface 'eth0' (line 3)`.
    var subject: String { "ENI iface '\(NetworkText.preview(name))' (line \(line))" }

    /// Options by ifupdown's name: `-` and `_` are the same to it (it turns both into `_`
    /// in the `IF_*` variables its hooks read), so `dns_nameservers` is `dns-nameservers`.
    func options(_ name: String) -> [Option] {
        let wanted = ENIStanza.canonical(name)
        return options.filter { ENIStanza.canonical($0.name) == wanted }
    }

    func first(_ name: String) -> Option? { options(name).first }

    static func canonical(_ name: String) -> String { name.lowercased().replacing("_", with: "-") }
}

/// Reads `interfaces(5)` text into stanzas: `iface` stanzas with their options, the names
/// on `auto`/`allow-*` lines, and notes for what is not followed (`source`, `mapping`).
/// Comments start a line; a trailing `\` continues it.
enum ENIParser {
    struct Document: Sendable, Equatable {
        var stanzas: [ENIStanza] = []
        var auto: [String] = []
        var notes: [String] = []
    }

    static func parse(_ text: String) throws -> Document {
        var document = Document()
        var current: ENIStanza?
        var inMapping = false
        for (number, line) in logicalLines(text) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = words.first else { continue }
            let place = "ENI line \(number)"
            switch keyword {
            case "iface":
                if let stanza = current { document.stanzas.append(stanza) }
                guard words.count >= 4 else {
                    throw NetworkConfigError(place, field: "iface", "needs a name, an address family and a method")
                }
                current = ENIStanza(name: words[1], family: words[2], method: words[3], line: number)
                inMapping = false
                if words.count > 4 {
                    document.notes.append("\(current!.subject): words after the method are not supported, ignored")
                }
            case "auto", "allow-auto", "allow-hotplug":
                document.auto += words.dropFirst()
                finish(&current, into: &document)
                inMapping = false
            case "mapping", "source", "source-directory", "rename":
                finish(&current, into: &document)
                inMapping = keyword == "mapping"
                document.notes.append("\(place): '\(keyword)' is not supported, skipped")
            case _ where keyword.hasPrefix("allow-"), "no-auto-down", "no-scripts":
                finish(&current, into: &document)
                inMapping = false
            default:
                guard current != nil else {
                    if inMapping { continue }
                    throw NetworkConfigError(
                        place, field: keyword, "an option outside any iface stanza")
                }
                current!.options.append(ENIStanza.Option(name: keyword, values: Array(words.dropFirst()), line: number))
            }
        }
        finish(&current, into: &document)
        return document
    }

    private static func finish(_ current: inout ENIStanza?, into document: inout Document) {
        if let stanza = current { document.stanzas.append(stanza) }
        current = nil
    }

    /// Lines with comments and blank lines left out and `\` continuations joined, each with
    /// the number of its first physical line.
    static func logicalLines(_ text: String) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var pending: (Int, String)?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if pending == nil {
                let trimmed = line.trimmingWhitespace()
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            }
            let continues = line.hasSuffix("\\")
            if continues { line.removeLast() }
            if let (start, text) = pending {
                pending = (start, text + " " + line)
            } else {
                pending = (index + 1, line)
            }
            if !continues, let done = pending {
                result.append((done.0, done.1.trimmingWhitespace()))
                pending = nil
            }
        }
        if let done = pending { result.append((done.0, done.1.trimmingWhitespace())) }
        return result
    }
}
