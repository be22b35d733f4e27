import AgentBase
import DataSources
import FoundationEssentials

/// Finds what holds a mount point: mountinfo for the filesystem and its device, sysfs for
/// the partition, its disk, the room after it, and for device-mapper names the LVM layer
/// underneath. Reads only (kernel views under `ResizeSettings`, superblocks); decides
/// nothing about tools, so it runs the same on fixture trees and on a live system.
public struct ResizeDetector: Sendable {
    /// Less than this to gain is not worth a step (and absorbs GPT's 33-sector backup table).
    public static let minimumGainBytes: Int64 = 1 << 20

    public let settings: ResizeSettings
    let tree: BlockDeviceTree

    public init(settings: ResizeSettings) {
        self.settings = settings
        tree = BlockDeviceTree(sysfsPath: settings.sysfsPath)
    }

    /// Reads mountinfo once; nil (with the reason) when it cannot be read.
    public func mountEntries() throws -> [MountInfoEntry] {
        guard let data = FileManager.default.contents(atPath: settings.mountInfoPath) else {
            throw ResizeError.unreadable(settings.mountInfoPath)
        }
        return MountInfo.parse(String(decoding: data, as: UTF8.self))
    }

    /// What holds the filesystem mounted exactly at `mountPoint` (a host path).
    public func detect(mountPoint: String, entries: [MountInfoEntry]) -> ResizeDecision {
        func skip(_ reason: String) -> ResizeDecision { .skip(mountPoint: mountPoint, reason: reason) }
        // Exactly a mount point, never "the filesystem that contains it": with --root on a
        // scratch directory that would be this machine's own root filesystem.
        guard let entry = MountInfo.entry(mountedAt: mountPoint, in: entries) else {
            return skip("\(mountPoint) is not a mount point")
        }
        let type = entry.filesystemType
        if FilesystemKind.overlayTypes.contains(type) {
            return skip("\(mountPoint) is an overlay (\(type)): no disk underneath to grow")
        }
        if FilesystemKind.networkTypes.contains(type) || entry.source.hasPrefix("//") {
            return skip("\(mountPoint) is a network filesystem (\(type) from \(entry.source))")
        }
        if entry.isReadOnly { return skip("\(mountPoint) is mounted read-only") }
        guard let kind = FilesystemKind(mountType: type) else {
            return skip("\(mountPoint) is \(type), which the agent does not grow (ext2/3/4, xfs, btrfs)")
        }
        guard let device = findDevice(entry) else {
            return skip(
                "no block device found for \(mountPoint) (\(entry.source), \(entry.major):\(entry.minor)) in \(settings.sysfsPath)"
            )
        }
        if device.readOnly { return skip("\(mountPoint): its device \(device.name) is read-only") }

        var target = ResizeTarget(
            mountPoint: mountPoint, filesystem: kind, filesystemType: type, filesystemDevice: node(device.name),
            filesystemDeviceBytes: device.sizeBytes, filesystemBytes: nil, partition: nil, lvm: nil)
        target.filesystemBytes = SuperblockProbe.filesystemBytes(kind, device: target.filesystemDevice)
        var partitionHolder = device
        if let mapper = device.deviceMapper {
            guard mapper.isLVM else {
                return skip(
                    "\(mountPoint) is on device-mapper device \(mapper.name), which is not an LVM logical volume")
            }
            guard mapper.slaves.count == 1, let physical = tree.device(named: mapper.slaves[0]) else {
                return skip(
                    "\(mountPoint) is on logical volume \(mapper.name) over \(mapper.slaves.count) devices: only a volume group on one physical volume is grown"
                )
            }
            target.lvm = LVMLayout(
                logicalVolume: settings.deviceDirectory + "/mapper/" + mapper.name, physicalVolume: node(physical.name),
                physicalVolumeDeviceBytes: physical.sizeBytes,
                physicalVolumeLabelBytes: SuperblockProbe.physicalVolumeBytes(device: node(physical.name)))
            partitionHolder = physical
        }
        if let partition = partitionHolder.partition {
            guard let disk = tree.device(named: partition.disk) else {
                return skip(
                    "\(mountPoint): disk \(partition.disk) of \(partitionHolder.name) not found in \(settings.sysfsPath)"
                )
            }
            if disk.readOnly { return skip("\(mountPoint): disk \(disk.name) is read-only") }
            let end = partition.startSector + partitionHolder.sizeSectors
            let nextStart = tree.partitions(ofDisk: disk.name).compactMap(\.partition?.startSector).filter { $0 >= end }
                .min()
            target.partition = PartitionSpace(
                disk: node(disk.name), device: node(partitionHolder.name), number: partition.number,
                startSector: partition.startSector, sizeSectors: partitionHolder.sizeSectors,
                limitSector: min(nextStart ?? disk.sizeSectors, disk.sizeSectors))
        }
        return .target(target)
    }

    private func findDevice(_ entry: MountInfoEntry) -> BlockDevice? {
        // major 0 is an anonymous device (btrfs reports one per subvolume): use the source.
        if entry.major != 0, let device = tree.device(major: entry.major, minor: entry.minor) { return device }
        let source = entry.source
        if source.hasPrefix("/dev/mapper/") {
            return tree.deviceMapper(named: String(source.dropFirst("/dev/mapper/".count)))
        }
        if source.hasPrefix("/dev/") { return tree.device(named: SystemRoot.parentAndName(of: source).name) }
        return nil
    }

    private func node(_ name: String) -> String { settings.deviceDirectory + "/" + name }
}
