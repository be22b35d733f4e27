/// Parsers for IMDS listings (docs/PROTOCOLS.md §3.3): `\n`-separated, directories end in `/`,
/// `public-keys/` lists `<index>=<name>`. Order is not guaranteed, so results are sorted.
enum EC2Listing {
    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// `0=my-key` lines as (index, name), sorted by index. Malformed lines are dropped.
    static func publicKeys(_ text: String) -> [(index: Int, name: String)] {
        lines(text).compactMap { line in
            // Keep empty pieces: with them dropped, a line "=" split into nothing (and
            // `parts[0]` trapped) and "=5" read as key 5.
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = parts.first, let index = Int(first), index >= 0, index < 1000 else { return nil }
            return (index, parts.count > 1 ? String(parts[1]) : String(index))
        }.sorted { $0.index < $1.index }
    }

    /// MAC directory names (`fa:16:3e:00:00:01/`) without the slash, validated as MACs.
    static func macs(_ text: String) -> [String] {
        lines(text).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }.filter(isMAC).sorted()
    }

    static func isMAC(_ value: String) -> Bool {
        let parts = value.split(separator: ":")
        return parts.count == 6 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }
}
