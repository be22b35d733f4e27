import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// A lower-case 8.3 name (`pw.enc`) as one FAT short directory entry with Windows NT's
/// lower-case flags (byte 12: 0x08 base, 0x10 extension), so that Linux, Windows and mtools
/// all show it in lower case without a VFAT long-name entry.
struct FATShortName: Equatable {
    let base: String
    let ext: String

    init?(_ name: String) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count) else { return nil }
        let allowed = { (text: String, max: Int) in
            text.count <= max && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
        }
        guard !parts[0].isEmpty, allowed(parts[0], 8), parts.count == 1 || (!parts[1].isEmpty && allowed(parts[1], 3))
        else { return nil }
        base = parts[0]
        ext = parts.count == 2 ? parts[1] : ""
    }

    /// The 32-byte entry: archive attribute, the stamp as creation and modification time,
    /// the first cluster (0 for an empty file) and the size.
    func entry(firstCluster: Int, size: Int, stamp: FATTimestamp) -> [UInt8] {
        func padded(_ text: String, _ width: Int) -> [UInt8] {
            Array(text.uppercased().utf8) + [UInt8](repeating: 0x20, count: width - text.utf8.count)
        }
        var bytes = padded(base, 8) + padded(ext, 3)
        bytes.append(0x20)  // attribute: archive
        bytes.append(0x08 | (ext.isEmpty ? 0 : 0x10))
        bytes.append(0)  // creation time, tenths
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        bytes += le16(stamp.time) + le16(stamp.date) + le16(stamp.date)  // created, accessed
        bytes += le16(firstCluster >> 16)
        bytes += le16(stamp.time) + le16(stamp.date)  // modified
        bytes += le16(firstCluster & 0xFFFF)
        bytes += le16(size & 0xFFFF) + le16(size >> 16 & 0xFFFF)
        return bytes
    }
}

/// A DOS date and time (local time is what FAT records; the agent records UTC).
public struct FATTimestamp: Sendable, Equatable {
    public let date: Int
    public let time: Int

    /// `seconds` since 1970 (UTC) as DOS fields; 1980-01-01 for anything earlier.
    public init(secondsSince1970 seconds: Int) {
        var t = time_t(max(seconds, 315_532_800))
        var parts = tm()
        gmtime_r(&t, &parts)
        date = Int(parts.tm_year - 80) << 9 | Int(parts.tm_mon + 1) << 5 | Int(parts.tm_mday)
        time = Int(parts.tm_hour) << 11 | Int(parts.tm_min) << 5 | Int(parts.tm_sec / 2)
    }
}
