import FoundationEssentials

/// A block device as sysfs describes it. Sizes and starts are in 512-byte sectors, the
/// unit sysfs uses whatever the device's logical block size.
public struct BlockDevice: Sendable, Equatable {
    /// Kernel name: `vda1`, `nvme0n1p1`, `dm-0`, `loop0p1`.
    public var name: String
    public var sizeSectors: Int64
    public var readOnly: Bool
    /// Set for a partition: its number, first sector and the whole disk's kernel name.
    public var partition: Partition?
    /// Set for a device-mapper device.
    public var deviceMapper: DeviceMapper?

    public struct Partition: Sendable, Equatable {
        public var number: Int
        public var startSector: Int64
        public var disk: String
    }

    public struct DeviceMapper: Sendable, Equatable {
        /// `/dev/mapper/<name>` (`vg-root`).
        public var name: String
        /// `LVM-...` for a logical volume, `CRYPT-...` for dm-crypt.
        public var uuid: String
        /// Kernel names of the devices underneath (`slaves/`).
        public var slaves: [String]
        public var isLVM: Bool { uuid.hasPrefix("LVM-") }
    }

    public var sizeBytes: Int64 { sizeSectors * 512 }
}
