import AgentBase
import DataSources
import FoundationEssentials

/// Reads `/sys/class/block` and `/sys/dev/block` under `ResizeSettings.sysfsPath`.
/// Read-only and pure apart from reading files, so detection tests run on fixture trees
/// shaped like the kernel's: `class/block/<name>` links into a device tree where a
/// partition's directory sits inside its disk's.
public struct BlockDeviceTree: Sendable {
    public let sysfsPath: String

    public init(sysfsPath: String) {
        self.sysfsPath = sysfsPath
    }

    /// The device with kernel name `name` (`vda1`), nil when sysfs has no such device.
    public func device(named name: String) -> BlockDevice? {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else { return nil }
        return device(atDirectory: sysfsPath + "/class/block/" + name)
    }

    /// The device numbered `major:minor` (`/sys/dev/block/M:m`).
    public func device(major: Int, minor: Int) -> BlockDevice? {
        device(atDirectory: sysfsPath + "/dev/block/\(major):\(minor)")
    }

    /// The device-mapper device called `mapperName` (`/dev/mapper/<mapperName>`).
    public func deviceMapper(named mapperName: String) -> BlockDevice? {
        for name in names() where name.hasPrefix("dm-") {
            if let device = device(named: name), device.deviceMapper?.name == mapperName { return device }
        }
        return nil
    }

    /// Kernel names of every block device.
    public func names() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sysfsPath + "/class/block")) ?? []).sorted()
    }

    /// The partitions of disk `disk` (kernel names), read from the disk's own directory.
    public func partitions(ofDisk disk: String) -> [BlockDevice] {
        let directory = real(sysfsPath + "/class/block/" + disk)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.sorted().compactMap { entry in
            guard FileManager.default.fileExists(atPath: directory + "/" + entry + "/partition") else { return nil }
            return device(atDirectory: directory + "/" + entry)
        }
    }

    private func device(atDirectory link: String) -> BlockDevice? {
        let directory = real(link)
        guard let size = number(directory + "/size") else { return nil }
        let name = SystemRoot.parentAndName(of: directory).name
        var device = BlockDevice(name: name, sizeSectors: size, readOnly: number(directory + "/ro") == 1)
        if let partitionNumber = number(directory + "/partition") {
            // A partition's sysfs directory is inside its disk's: .../block/vda/vda1.
            let disk = SystemRoot.parentAndName(of: SystemRoot.parentAndName(of: directory).parent).name
            device.partition = .init(
                number: Int(partitionNumber), startSector: number(directory + "/start") ?? 0, disk: disk)
        }
        if let mapperName = text(directory + "/dm/name") {
            let slaves = ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/slaves")) ?? []).sorted()
            device.deviceMapper = .init(name: mapperName, uuid: text(directory + "/dm/uuid") ?? "", slaves: slaves)
        }
        return device
    }

    /// `path` with symbolic links resolved (sysfs's class and dev directories are links).
    private func real(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    private func text(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let value = String(decoding: data, as: UTF8.self).trimmingWhitespaceAndNewlines()
        return value.isEmpty ? nil : value
    }

    private func number(_ path: String) -> Int64? {
        text(path).flatMap { Int64($0) }
    }
}
