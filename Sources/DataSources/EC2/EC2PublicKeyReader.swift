import FoundationEssentials

/// The instance's public keys: the `public-keys/` listing (`<index>=<name>` lines) and
/// `public-keys/0/openssh-key` together in the first round (key 0 exists on nearly every
/// instance, so guessing it saves a round trip), then every other listed key at once.
///
/// What a listing can cost is bounded (issue 29): each index is read once however often
/// it is listed, and only the first `EC2Listing.maximumKeys` indices are read; the rest are
/// ignored with a note (in `refusedKeys`, logged by the ssh_keys plugin), not a failure.
struct EC2PublicKeyReader: Sendable {
    static let listingPath = "latest/meta-data/public-keys/"

    let reader: IMDSTextReader

    /// The listed keys that have an `openssh-key`, in listing (index) order, and a note when
    /// the listing named more keys than are read.
    func read() async throws -> (keys: [PublicKeyEntry], notes: [String]) {
        async let listing = reader.text(Self.listingPath)
        async let firstKey = reader.text(Self.keyPath(0))
        let listed = EC2Listing.publicKeys(try await listing ?? "")
        let entries = listed.prefix(EC2Listing.maximumKeys)
        var notes: [String] = []
        if listed.count > entries.count {
            notes.append(
                "\(reader.session.url(Self.listingPath)) lists \(listed.count) keys: only the first "
                    + "\(EC2Listing.maximumKeys) are read, the others are ignored")
            reader.session.client.logger.warning("too many public keys listed", metadata: ["note": "\(notes[0])"])
        }
        let prefetched = entries.contains { $0.index == 0 } ? try await firstKey : nil
        let reader = reader
        return try await withThrowingTaskGroup(of: (Int, PublicKeyEntry?).self) { group in
            for (position, entry) in entries.enumerated() {
                group.addTask {
                    let line = entry.index == 0 ? prefetched : try await reader.text(Self.keyPath(entry.index))
                    return (position, line.map { PublicKeyEntry(name: entry.name, line: $0) })
                }
            }
            var found: [(Int, PublicKeyEntry)] = []
            for try await (position, key) in group { if let key { found.append((position, key)) } }
            return (found.sorted { $0.0 < $1.0 }.map(\.1), notes)
        }
    }

    static func keyPath(_ index: Int) -> String {
        "latest/meta-data/public-keys/\(index)/openssh-key"
    }
}
