import Foundation
import Plugins

/// A fake kernel view for resize detection tests: `proc/self/mountinfo`, a sysfs tree
/// shaped like the kernel's (`class/block/<name>` and `dev/block/M:m` links into
/// `devices/.../block/<disk>/<partition>`), and `dev/<name>` files that may hold a crafted
/// superblock. Built in a temporary directory; no root needed.
public final class BlockFixtureTree: @unchecked Sendable {
    public let directory: TemporaryDirectory
    private var nextMinor = 0
    public var base: String { directory.path }
    public var settings: ResizeSettings { ResizeSettings.under(base) }

    public init() throws {
        directory = try TemporaryDirectory(prefix: "guest-agent-sysfs")
        try FileManager.default.createDirectory(atPath: base + "/sys/class/block", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/sys/dev/block", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/dev/mapper", withIntermediateDirectories: true)
        try directory.write("", to: "proc/self/mountinfo")
    }

    /// A whole disk of `sectors` 512-byte sectors; returns its "major:minor".
    @discardableResult
    public func disk(_ name: String, sectors: Int64, major: Int = 252, readOnly: Bool = false) throws -> String {
        try device(
            "sys/devices/pci0000:00/block/\(name)", name: name, major: major,
            files: ["size": "\(sectors)", "ro": readOnly ? "1" : "0"])
    }

    /// Partition `number` of `disk`, from `start` for `sectors`.
    @discardableResult
    public func partition(_ name: String, of disk: String, number: Int, start: Int64, sectors: Int64, major: Int = 252)
        throws -> String
    {
        try device(
            "sys/devices/pci0000:00/block/\(disk)/\(name)", name: name, major: major,
            files: ["size": "\(sectors)", "ro": "0", "partition": "\(number)", "start": "\(start)"])
    }

    /// A device-mapper device `dm-N` called `mapperName` over `slaves`.
    @discardableResult
    public func deviceMapper(_ name: String, mapperName: String, uuid: String, sectors: Int64, slaves: [String]) throws
        -> String
    {
        let path = "sys/devices/virtual/block/\(name)"
        let numbers = try device(
            path, name: name, major: 253,
            files: ["size": "\(sectors)", "ro": "0", "dm/name": mapperName, "dm/uuid": uuid])
        try FileManager.default.createDirectory(
            atPath: base + "/" + path + "/slaves", withIntermediateDirectories: true)
        for slave in slaves {
            try FileManager.default.createSymbolicLink(
                atPath: base + "/" + path + "/slaves/" + slave,
                withDestinationPath: base + "/sys/class/block/" + slave)
        }
        return numbers
    }

    /// Appends a mountinfo line.
    public func mount(
        _ mountPoint: String, numbers: String, type: String, source: String, options: String = "rw,relatime"
    ) throws {
        let line = "\(30 + nextMinor) 1 \(numbers) / \(mountPoint) \(options) shared:1 - \(type) \(source) rw\n"
        nextMinor += 1
        let path = base + "/proc/self/mountinfo"
        let old = FileManager.default.contents(atPath: path) ?? Data()
        try (old + Data(line.utf8)).write(to: URL(fileURLWithPath: path))
    }

    /// Writes an ext4 superblock saying the filesystem is `bytes` long into `dev/<name>`.
    public func extSuperblock(_ name: String, bytes: Int64) throws {
        var block = [UInt8](repeating: 0, count: 2048)
        let blocks = UInt32(bytes / 4096)
        for index in 0..<4 { block[1024 + 4 + index] = UInt8(truncatingIfNeeded: blocks >> (8 * UInt32(index))) }
        block[1024 + 24] = 2  // 1024 << 2 = 4096-byte blocks
        block[1024 + 56] = 0x53
        block[1024 + 57] = 0xEF
        try Data(block).write(to: URL(fileURLWithPath: base + "/dev/" + name))
    }

    private func device(_ path: String, name: String, major: Int, files: [String: String]) throws -> String {
        nextMinor += 1
        let numbers = "\(major):\(nextMinor)"
        let directory = base + "/" + path
        for (file, content) in files.merging(["dev": numbers]) { $1 } {
            try self.directory.write(content + "\n", to: path + "/" + file)
        }
        try FileManager.default.createSymbolicLink(
            atPath: base + "/sys/class/block/" + name, withDestinationPath: directory)
        try FileManager.default.createSymbolicLink(
            atPath: base + "/sys/dev/block/" + numbers, withDestinationPath: directory)
        return numbers
    }
}
