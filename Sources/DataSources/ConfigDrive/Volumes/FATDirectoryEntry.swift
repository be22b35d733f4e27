/// A file or directory in a FAT directory, with its VFAT long name when it has one.
struct FATDirectoryEntry: Equatable {
    var longName: String?
    var shortName: String
    var isDirectory: Bool
    var isVolumeLabel: Bool
    var firstCluster: Int
    var size: Int

    /// The name to show: the long name, else the 8.3 name (lower-cased parts honoured).
    var name: String { longName ?? shortName }

    /// Parses 32-byte entries until the end marker. Long-name entries are gathered and
    /// kept only if their checksum matches the short entry that follows them.
    static func parse(_ bytes: [UInt8]) -> (entries: [FATDirectoryEntry], ended: Bool) {
        var entries: [FATDirectoryEntry] = []
        var pending: [(order: Int, checksum: UInt8, units: [UInt16])] = []
        var offset = 0
        while offset + 32 <= bytes.count {
            let entry = Array(bytes[offset..<(offset + 32)])
            offset += 32
            if entry[0] == 0x00 { return (entries, true) }
            if entry[0] == 0xE5 {
                pending.removeAll()
                continue
            }
            let attributes = entry[11]
            if attributes & 0x3F == 0x0F {
                let units = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30].map {
                    UInt16(entry[$0]) | UInt16(entry[$0 + 1]) << 8
                }
                pending.append((Int(entry[0] & 0x1F), entry[13], units))
                continue
            }
            let short = Array(entry[0..<11])
            let checksum = short.reduce(UInt8(0)) { (($0 & 1) << 7 | $0 >> 1) &+ $1 }
            var longName: String?
            if !pending.isEmpty && pending.allSatisfy({ $0.checksum == checksum }) {
                let units = pending.sorted { $0.order < $1.order }.flatMap(\.units).prefix {
                    $0 != 0x0000 && $0 != 0xFFFF
                }
                longName = String(decoding: Array(units), as: UTF16.self)
            }
            pending.removeAll()
            let name = shortName(short, flags: entry[12])
            guard name != ".", name != ".." else { continue }
            entries.append(
                FATDirectoryEntry(
                    longName: longName, shortName: name, isDirectory: attributes & 0x10 != 0,
                    isVolumeLabel: attributes & 0x08 != 0,
                    firstCluster: entry.le16(26) | entry.le16(20) << 16, size: entry.le32(28)))
        }
        return (entries, false)
    }

    /// `NAME    EXT` -> `NAME.EXT`, with the NT flags for lower-case base (0x08) or extension (0x10).
    static func shortName(_ raw: [UInt8], flags: UInt8) -> String {
        var bytes = raw
        if bytes[0] == 0x05 { bytes[0] = 0xE5 }
        var base = String(decoding: bytes[0..<8], as: UTF8.self).trimmingWhitespace()
        var ext = String(decoding: bytes[8..<11], as: UTF8.self).trimmingWhitespace()
        if flags & 0x08 != 0 { base = base.lowercased() }
        if flags & 0x10 != 0 { ext = ext.lowercased() }
        return ext.isEmpty ? base : base + "." + ext
    }
}
