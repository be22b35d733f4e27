import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Reads the size a filesystem or an LVM physical volume believes it has, straight from
/// its on-disk header, so that a boot where nothing changed costs a few reads and no
/// process. nil when the device cannot be read or holds something else.
public enum SuperblockProbe {
    /// Size in bytes of the ext2/3/4, xfs or btrfs filesystem on `device`.
    public static func filesystemBytes(_ kind: FilesystemKind, device: String) -> Int64? {
        switch kind {
        case .ext:
            // Superblock at 1024: s_blocks_count_lo @4, s_log_block_size @24, s_magic @56,
            // s_feature_incompat @96 (INCOMPAT_64BIT 0x80), s_blocks_count_hi @336.
            guard let block = read(device, offset: 1024, count: 1024), le(block, 56, 2) == 0xEF53 else { return nil }
            var blocks = le(block, 4, 4)
            if le(block, 96, 4) & 0x80 != 0 { blocks |= le(block, 336, 4) << 32 }
            let shift = le(block, 24, 4)
            guard shift <= 6 else { return nil }
            return Int64(truncatingIfNeeded: blocks) * (1024 << Int64(shift))
        case .xfs:
            // "XFSB", sb_blocksize (be32) @4, sb_dblocks (be64) @8.
            guard let block = read(device, offset: 0, count: 16), block.prefix(4).elementsEqual("XFSB".utf8) else {
                return nil
            }
            return Int64(truncatingIfNeeded: be(block, 8, 8)) * Int64(truncatingIfNeeded: be(block, 4, 4))
        case .btrfs:
            // Superblock at 64 KiB: magic "_BHRfS_M" @64; dev_item @201 holds this device's
            // devid then total_bytes (what `btrfs filesystem resize` changes).
            guard let block = read(device, offset: 65536, count: 4096), block[64..<72].elementsEqual("_BHRfS_M".utf8)
            else { return nil }
            return Int64(truncatingIfNeeded: le(block, 201 + 8, 8))
        }
    }

    /// The device size recorded in the LVM2 label of physical volume `device` (what
    /// `pvresize` updates), nil when it carries no LVM2 label.
    public static func physicalVolumeBytes(device: String) -> Int64? {
        guard let head = read(device, offset: 0, count: 2048) else { return nil }
        // The label sits in one of the first four sectors: "LABELONE", its sector, crc,
        // the pv_header offset (le32 @20) and "LVM2 001"; pv_header is the PV uuid (32
        // bytes) then device_size_xl (le64).
        for sector in 0..<4 {
            let base = sector * 512
            guard head[base..<(base + 8)].elementsEqual("LABELONE".utf8) else { continue }
            let offset = base + Int(le(head, base + 20, 4))
            guard offset + 40 <= head.count else { return nil }
            return Int64(truncatingIfNeeded: le(head, offset + 32, 8))
        }
        return nil
    }

    private static func read(_ path: String, offset: Int64, count: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        return got == count ? buffer : nil
    }

    private static func le(_ bytes: [UInt8], _ at: Int, _ width: Int) -> UInt64 {
        (0..<width).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
    }

    private static func be(_ bytes: [UInt8], _ at: Int, _ width: Int) -> UInt64 {
        (0..<width).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[at + $1]) }
    }
}
