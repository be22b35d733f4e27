import Foundation

/// A disk image file whose first partition is smaller than the disk (the image "grew"
/// after partitioning, as a flavor's disk does), attached to a loop device. Root only.
/// Nothing but the image file and the loop device it attached is ever touched; call
/// `detach()` in a `defer` (it unmounts what `mount` mounted and detaches the device).
public final class LoopDiskImage: @unchecked Sendable {
    public enum Label: String, Sendable { case dos, gpt }

    public let directory: TemporaryDirectory
    public let image: String
    public private(set) var device = ""
    private var mounts: [String] = []
    private var volumeGroup: String?

    /// `partitionMiB` from sector 2048, on a disk of `diskMiB`; partition type Linux or LVM.
    public init(label: Label, partitionMiB: Int, diskMiB: Int, lvm: Bool = false) async throws {
        directory = try TemporaryDirectory(prefix: "guest-agent-disk")
        image = directory.path + "/disk.img"
        try await Self.tool("truncate", ["-s", "\(partitionMiB + 4)M", image])
        let type =
            lvm
            ? (label == .gpt ? "E6D6D379-F507-44C2-A23C-238F2A3DF928" : "8e")
            : (label == .gpt ? "0FC63DAF-8483-4772-8E79-3D69D8477DE4" : "83")
        try await Self.tool(
            "sfdisk", ["-q", image],
            input: "label: \(label.rawValue)\nstart=2048, size=\(partitionMiB * 2048), type=\(type)\n")
        try await Self.tool("truncate", ["-s", "\(diskMiB)M", image])
        device = try await Self.tool("losetup", ["-P", "--find", "--show", image]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        // Without udev the kernel may not have scanned the table yet: partx -a adds the
        // partition (and fails harmlessly when it is already there); then wait for devtmpfs.
        _ = try? await Program.tool("partx", ["-a", device])
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: partition) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard FileManager.default.fileExists(atPath: partition) else {
            detach()
            throw LoopDiskError.failed("no partition node \(partition) after losetup -P and partx -a")
        }
    }

    public var partition: String { device + "p1" }
    public var deviceName: String { URL(fileURLWithPath: device).lastPathComponent }

    /// `major:minor` of `name` (a kernel block device name) from sysfs.
    public static func numbers(_ name: String) -> String {
        (try? String(contentsOfFile: "/sys/class/block/\(name)/dev", encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines) ?? "?"
    }

    /// Size in bytes of a block device, as `blockdev --getsize64` reports it.
    public static func size(_ device: String) async throws -> Int64 {
        Int64(try await tool("blockdev", ["--getsize64", device]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Mounts `device` on a new directory and returns it.
    public func mount(_ device: String) async throws -> String {
        let point = directory.path + "/mnt\(mounts.count)"
        try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)
        try await Self.tool("mount", [device, point])
        mounts.append(point)
        return point
    }

    /// Records a volume group for `detach` to deactivate and remove.
    public func ownVolumeGroup(_ name: String) { volumeGroup = name }

    /// Blocks its thread for the short clean-up commands (see `Program.cleanUp`).
    public func detach() {
        for point in mounts.reversed() { Program.cleanUp("umount", [point]) }
        mounts = []
        if let volumeGroup {
            Program.cleanUp("vgchange", ["-an", volumeGroup])
            Program.cleanUp("vgremove", ["-f", volumeGroup])
            self.volumeGroup = nil
        }
        if !device.isEmpty { Program.cleanUp("losetup", ["-d", device]) }
        device = ""
    }

    deinit { detach() }

    /// Runs a host tool (test set-up only) and returns stdout; throws with its stderr.
    @discardableResult
    public static func tool(_ name: String, _ arguments: [String], input: String? = nil) async throws -> String {
        let result = try await Program.tool(name, arguments, input: input.map { Data($0.utf8) })
        guard result.status == 0 else {
            throw LoopDiskError.failed(
                "\(name) \(arguments.joined(separator: " ")) exited \(result.status): \(result.standardError)")
        }
        return result.standardOutput
    }

    /// True when this machine can run the real-image tests: root, loop devices, the tools.
    public static var available: Bool {
        Program.isRoot && FileManager.default.fileExists(atPath: "/dev/loop-control")
            && ["losetup", "partx", "sfdisk", "blockdev", "mount"].allSatisfy { Program.which($0) != nil }
    }

    /// device-mapper in the running kernel (LVM needs it; some VMs' kernels lack it).
    public static var deviceMapperAvailable: Bool {
        ((try? String(contentsOfFile: "/proc/misc", encoding: .utf8)) ?? "").contains("device-mapper")
    }
}

public enum LoopDiskError: Error, CustomStringConvertible {
    case failed(String)
    public var description: String {
        switch self {
        case .failed(let message): message
        }
    }
}
