import FoundationEssentials

/// One line of `/proc/self/mountinfo` (proc(5)), the fields the resize plugin needs.
public struct MountInfoEntry: Sendable, Equatable {
    /// `major:minor` of the filesystem's device (`0:N` for btrfs and other anonymous devices).
    public var major: Int
    public var minor: Int
    /// Where it is mounted, as the agent's own process sees it (octal escapes decoded).
    public var mountPoint: String
    /// Per-mount options (`rw`, `ro`, `relatime`, ...).
    public var mountOptions: [String]
    public var filesystemType: String
    /// The mount source (`/dev/vda1`, `/dev/mapper/vg-root`, `server:/export`, `overlay`).
    public var source: String
    /// Per-superblock options.
    public var superOptions: [String]

    public var isReadOnly: Bool { mountOptions.contains("ro") || superOptions.contains("ro") }
}

/// Parses `/proc/self/mountinfo`. Pure: tests feed it fixture text.
public enum MountInfo {
    /// Every well-formed line; malformed lines are skipped (the kernel writes this file,
    /// but a fixture or a future field layout must not make the agent trap).
    public static func parse(_ text: String) -> [MountInfoEntry] {
        text.split(separator: "\n").compactMap { parseLine(String($0)) }
    }

    static func parseLine(_ line: String) -> MountInfoEntry? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
        // Optional fields (master:1, shared:2, ...) end at the lone "-".
        guard fields.count >= 10, let separator = fields.firstIndex(of: "-"), separator >= 6,
            fields.count >= separator + 3
        else { return nil }
        let numbers = fields[2].split(separator: ":")
        guard numbers.count == 2, let major = Int(numbers[0]), let minor = Int(numbers[1]) else { return nil }
        return MountInfoEntry(
            major: major, minor: minor, mountPoint: unescape(fields[4]),
            mountOptions: fields[5].split(separator: ",").map(String.init),
            filesystemType: fields[separator + 1], source: unescape(fields[separator + 2]),
            superOptions: fields.count > separator + 3
                ? fields[separator + 3].split(separator: ",").map(String.init) : [])
    }

    /// The kernel writes space, tab, newline and backslash in paths as `\ooo` octal.
    static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 4 <= utf8.count,
                let value = UInt8(String(decoding: utf8[(index + 1)..<(index + 4)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The filesystem mounted exactly at `mountPoint` (the last such line: a later mount
    /// hides an earlier one at the same place), nil when nothing is mounted there.
    public static func entry(mountedAt mountPoint: String, in entries: [MountInfoEntry]) -> MountInfoEntry? {
        entries.last { $0.mountPoint == mountPoint }
    }
}
