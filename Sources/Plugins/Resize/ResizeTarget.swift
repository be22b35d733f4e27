/// What holds one mount point and how far each layer could grow: the result of detection.
public struct ResizeTarget: Sendable, Equatable {
    /// The mount point as the agent's process sees it (a host path, what `xfs_growfs` takes).
    public var mountPoint: String
    public var filesystem: FilesystemKind
    /// The filesystem's type as mounted (`ext4`), for messages.
    public var filesystemType: String
    /// Device node holding the filesystem (`/dev/vda1`, `/dev/dm-0`).
    public var filesystemDevice: String
    public var filesystemDeviceBytes: Int64
    /// The filesystem's own idea of its size (superblock), nil when it could not be read.
    public var filesystemBytes: Int64?
    /// nil: the filesystem (or the LVM physical volume) is on a whole disk, no partition step.
    public var partition: PartitionSpace?
    /// Set when the filesystem is on an LVM logical volume.
    public var lvm: LVMLayout?
}

/// A partition and the room after it on its disk.
public struct PartitionSpace: Sendable, Equatable {
    /// The whole disk's node (`/dev/vda`) and the partition's (`/dev/vda1`).
    public var disk: String
    public var device: String
    public var number: Int
    public var startSector: Int64
    public var sizeSectors: Int64
    /// Where the partition could end: the next partition's start, else the disk's end.
    /// (On GPT the backup table takes the disk's last 33 sectors, so growth is that much less.)
    public var limitSector: Int64

    public var gainBytes: Int64 { max(0, limitSector - (startSector + sizeSectors)) * 512 }
    public var sizeBytes: Int64 { sizeSectors * 512 }
    public var grownBytes: Int64 { (limitSector - startSector) * 512 }
}

/// The filesystem is on logical volume `logicalVolume`, whose volume group has the one
/// physical volume `physicalVolume`.
public struct LVMLayout: Sendable, Equatable {
    /// `/dev/mapper/<vg>-<lv>`.
    public var logicalVolume: String
    public var physicalVolume: String
    public var physicalVolumeDeviceBytes: Int64
    /// The size in the PV's LVM2 label, nil when unreadable.
    public var physicalVolumeLabelBytes: Int64?
}

/// Detection's answer for one mount point.
public enum ResizeDecision: Sendable, Equatable {
    case skip(mountPoint: String, reason: String)
    case target(ResizeTarget)
}
