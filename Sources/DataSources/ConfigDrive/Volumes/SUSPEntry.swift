/// A System Use Sharing Protocol entry (IEEE P1281) from a directory record's system use
/// area or a continuation area: Rock Ridge's `NM`, `CE`, `CL`, `RE`, `SP`...
struct SUSPEntry {
    var signature: String
    var data: [UInt8]

    /// Entries in `bytes[start..<end]`, stopping at `ST` or at anything malformed (a
    /// damaged area is treated as "no more entries", never read past).
    static func parse(_ bytes: [UInt8], from start: Int, to end: Int) -> [SUSPEntry] {
        var entries: [SUSPEntry] = []
        var position = start
        while position + 4 <= end {
            let length = Int(bytes[position + 2])
            guard length >= 4, position + length <= end else { break }
            let signature = String(decoding: bytes[position..<(position + 2)], as: UTF8.self)
            if signature == "ST" { break }
            entries.append(SUSPEntry(signature: signature, data: Array(bytes[(position + 4)..<(position + length)])))
            position += length
        }
        return entries
    }

    /// `CE`: where the area continues (block, offset, length; both-endian fields, LE half read).
    var continuation: (block: Int, offset: Int, length: Int)? {
        guard signature == "CE", data.count >= 24 else { return nil }
        return (data.le32(0), data.le32(8), data.le32(16))
    }

    /// The Rock Ridge name from one or more `NM` entries (flag bit 0: continued),
    /// nil when there is none or it names `.`/`..`.
    static func alternateName(_ entries: [SUSPEntry]) -> String? {
        var bytes: [UInt8] = []
        var found = false
        for entry in entries where entry.signature == "NM" && !entry.data.isEmpty {
            let flags = entry.data[0]
            if flags & 0x06 != 0 { return nil }
            bytes += entry.data.dropFirst()
            found = true
            if flags & 0x01 == 0 { break }
        }
        return found && !bytes.isEmpty ? String(decoding: bytes, as: UTF8.self) : nil
    }

    /// `CL`: a relocated directory's real extent.
    static func childLink(_ entries: [SUSPEntry]) -> Int? {
        guard let entry = entries.first(where: { $0.signature == "CL" }), entry.data.count >= 4 else { return nil }
        return entry.data.le32(0)
    }
}
