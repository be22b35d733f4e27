import AgentBase
import DataSources

/// One command-level step of growing a mount point, in the order they must run: the
/// partition, then LVM's physical and logical volumes, then the filesystem.
public enum ResizeStep: Sendable, Equatable {
    case growPartition(PartitionSpace)
    case resizePhysicalVolume(device: String)
    /// `lvextend -r`: the logical volume and, through fsadm, its filesystem.
    case extendLogicalVolume(device: String)
    case growFilesystem(FilesystemKind, device: String, mountPoint: String)

    /// The steps `target` needs. `pending`: an earlier boot grew a lower layer and a
    /// higher one could not follow, so the LVM steps run even if the sizes look settled.
    /// `grownTo`: the device size the filesystem was last grown to by the agent; a
    /// superblock that still reads smaller at that same size is not yet written back.
    public static func plan(for target: ResizeTarget, pending: Bool, grownTo: Int64? = nil) -> [ResizeStep] {
        let minimum = ResizeDetector.minimumGainBytes
        var steps: [ResizeStep] = []
        let growPartition = (target.partition?.gainBytes ?? 0) >= minimum
        if growPartition, let partition = target.partition { steps.append(.growPartition(partition)) }
        var extendLV = false
        if let lvm = target.lvm {
            let labelBehind =
                lvm.physicalVolumeLabelBytes.map { lvm.physicalVolumeDeviceBytes - $0 >= minimum } ?? false
            if growPartition || labelBehind || pending {
                steps.append(.resizePhysicalVolume(device: lvm.physicalVolume))
                steps.append(.extendLogicalVolume(device: lvm.logicalVolume))
                extendLV = true
            }
        }
        let filesystemBehind =
            grownTo == target.filesystemDeviceBytes && !pending
            ? false
            : target.filesystemBytes.map { target.filesystemDeviceBytes - $0 >= minimum } ?? pending
        if !extendLV && (filesystemBehind || (growPartition && target.lvm == nil)) {
            steps.append(
                .growFilesystem(target.filesystem, device: target.filesystemDevice, mountPoint: target.mountPoint))
        }
        return steps
    }

    /// The filesystem commands (the partition's depend on which tool the root has).
    var argv: [String] {
        switch self {
        case .growPartition(let space): ["growpart", space.disk, String(space.number)]
        case .resizePhysicalVolume(let device): ["pvresize", device]
        case .extendLogicalVolume(let device): ["lvextend", "-r", "-l", "+100%FREE", device]
        case .growFilesystem(.ext, let device, _): ["resize2fs", device]
        case .growFilesystem(.xfs, _, let mountPoint): ["xfs_growfs", mountPoint]
        case .growFilesystem(.btrfs, _, let mountPoint): ["btrfs", "filesystem", "resize", "max", mountPoint]
        }
    }

    /// For `--dry-run`: what would run, with sizes before and after.
    func describe(_ target: ResizeTarget) -> String {
        switch self {
        case .growPartition(let space):
            "grow partition \(space.number) of \(space.disk) (\(space.device)) from \(ByteSize(space.sizeBytes)) to about \(ByteSize(space.grownBytes)): growpart \(space.disk) \(space.number) (or sfdisk)"
        case .resizePhysicalVolume(let device):
            "resize LVM physical volume \(device) to its device (\(ByteSize(target.lvm?.physicalVolumeDeviceBytes ?? 0)) before the partition step): \(argv.joined(separator: " "))"
        case .extendLogicalVolume(let device):
            "extend logical volume \(device) (\(ByteSize(target.filesystemDeviceBytes))) and its \(target.filesystemType) over the volume group's free space: \(argv.joined(separator: " "))"
        case .growFilesystem:
            "grow \(target.filesystemType) on \(target.filesystemDevice) mounted at \(target.mountPoint) from \(target.filesystemBytes.map { ByteSize($0).description } ?? "its current size") to \(ByteSize(target.partition.map { max($0.grownBytes, target.filesystemDeviceBytes) } ?? target.filesystemDeviceBytes)): \(argv.joined(separator: " "))"
        }
    }
}

/// A size for people: `512.0 MiB`, `20.0 GiB`.
struct ByteSize: CustomStringConvertible {
    let bytes: Int64
    init(_ bytes: Int64) { self.bytes = bytes }
    var description: String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : PlainFormat.oneDecimal(value) + " " + units[unit]
    }
}
