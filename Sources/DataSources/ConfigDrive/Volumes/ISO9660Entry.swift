/// One directory record of an ISO 9660 directory (ECMA-119 9.1), with the name chosen
/// by the volume's naming (Rock Ridge, Joliet or plain).
struct ISO9660Entry: Equatable {
    var name: String
    var extent: Int
    var size: Int
    var isDirectory: Bool
    var multiExtent: Bool
    /// Rock Ridge `RE`: a relocated directory's placeholder, hidden from listings.
    var relocated: Bool
}

/// How names are read from directory records.
enum ISO9660Naming: Equatable {
    /// Rock Ridge NM entries (after `skip` bytes of each system use area).
    case rockRidge(skip: Int)
    /// UCS-2 big-endian names of a Joliet supplementary volume descriptor.
    case joliet
    /// Plain ISO 9660 names (`;1` version and a trailing `.` removed).
    case plain
}

extension ISO9660Entry {
    /// Parses the records of one directory extent. Records never cross a sector boundary;
    /// a zero length byte means "continue at the next sector".
    static func parse(
        _ bytes: [UInt8], blockSize: Int, naming: ISO9660Naming, susp: (Int, Int, Int) throws -> [SUSPEntry],
        where location: String
    ) throws -> [ISO9660Entry] {
        var entries: [ISO9660Entry] = []
        var position = 0
        while position < bytes.count {
            let length = Int(bytes[position])
            if length == 0 {
                position = (position / blockSize + 1) * blockSize
                continue
            }
            guard length >= 34, position + length <= bytes.count else {
                throw VolumeReadError.corrupt(
                    path: location, what: "directory record at byte \(position) has length \(length)")
            }
            let nameLength = Int(bytes[position + 32])
            guard 33 + nameLength <= length else {
                throw VolumeReadError.corrupt(
                    path: location, what: "directory record at byte \(position) has a name longer than the record")
            }
            let rawName = Array(bytes[(position + 33)..<(position + 33 + nameLength)])
            let flags = bytes[position + 25]
            var entry = ISO9660Entry(
                name: "", extent: bytes.le32(position + 2), size: bytes.le32(position + 10),
                isDirectory: flags & 0x02 != 0, multiExtent: flags & 0x80 != 0, relocated: false)
            let isSelfOrParent = nameLength == 1 && (rawName[0] == 0 || rawName[0] == 1)
            if !isSelfOrParent {
                entry.name = plainName(rawName, joliet: naming == .joliet)
                if case .rockRidge(let skip) = naming {
                    let useStart = position + 33 + nameLength + (nameLength % 2 == 0 ? 1 : 0) + skip
                    let suspEntries = try susp(position, useStart, position + length)
                    if let alternate = SUSPEntry.alternateName(suspEntries) { entry.name = alternate }
                    if let child = SUSPEntry.childLink(suspEntries) {
                        // A relocated deep directory: the real one is elsewhere, and its size
                        // is in its own "." record (resolved by the volume), not here.
                        entry.extent = child
                        entry.isDirectory = true
                        entry.size = -1
                    }
                    entry.relocated = suspEntries.contains { $0.signature == "RE" }
                }
                entries.append(entry)
            }
            position += length
        }
        return entries
    }

    static func plainName(_ raw: [UInt8], joliet: Bool) -> String {
        var name: String
        if joliet {
            let units = stride(from: 0, to: raw.count - 1, by: 2).map { UInt16(raw[$0]) << 8 | UInt16(raw[$0 + 1]) }
            name = String(decoding: units, as: UTF16.self)
        } else {
            name = String(decoding: raw, as: UTF8.self)
        }
        if let semicolon = name.lastIndex(of: ";") { name = String(name[..<semicolon]) }
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }
}
