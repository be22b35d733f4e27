/// Parsers for IMDS listings (docs/PROTOCOLS.md §3.3): `\n`-separated, directories end in `/`,
/// `public-keys/` lists `<index>=<name>`. Order is not guaranteed, so results are sorted.
enum EC2Listing {
    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// At most this many keys are read from a `public-keys/` listing (cloud-init reads all
    /// of them; EC2 itself gives an instance one key at launch, and an image with more than
    /// a hundred authorized keys is not one to trust blindly): each costs a request.
    static let maximumKeys = 100
    /// At most this many ENIs are read from the MAC listing: the largest EC2 instance types
    /// take 64 (on 32 network cards), and each costs two to four requests.
    static let maximumInterfaces = 64

    /// `0=my-key` lines as (index, name), sorted by index, each index once (its first line).
    /// Malformed lines are dropped.
    static func publicKeys(_ text: String) -> [(index: Int, name: String)] {
        var seen: Set<Int> = []
        return lines(text).compactMap { line -> (index: Int, name: String)? in
            // Keep empty pieces: with them dropped, a line "=" split into nothing (and
            // `parts[0]` trapped) and "=5" read as key 5.
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = parts.first, let index = Int(first), index >= 0, index < 1000 else { return nil }
            // A listing that repeats a line once made one request per line (issue 29).
            guard seen.insert(index).inserted else { return nil }
            return (index, parts.count > 1 ? String(parts[1]) : String(index))
        }.sorted { $0.index < $1.index }
    }

    /// MAC directory names (`fa:16:3e:00:00:01/`) without the slash, validated as MACs,
    /// sorted, each once.
    static func macs(_ text: String) -> [String] {
        Set(lines(text).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }.filter(isMAC)).sorted()
    }

    static func isMAC(_ value: String) -> Bool {
        let parts = value.split(separator: ":")
        return parts.count == 6 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }
}
