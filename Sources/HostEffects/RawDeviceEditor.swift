import AgentBase
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Applies planned raw edits to a block device or image file, durably and only onto what the
/// plan was made from (a FAT volume's new file: `FATNewFilePlan`).
///
/// - The device is opened `O_EXCL`: the kernel refuses a block device that is mounted (its
///   filesystem driver would keep its own idea of the FAT and undo or corrupt the edit).
/// - Every edit's `expected` bytes are checked before the first write: a device that changed
///   since the plan is left alone.
/// - Phases are written in order, each followed by `fsync`, so a later phase never reaches the
///   disk before an earlier one (the plan's order is what keeps a crash harmless).
/// - After the last phase every edit is read back and compared.
public enum RawDeviceEditor {
    public static func apply(_ phases: [[RawByteEdit]], to path: String) throws {
        let fd = open(path, O_RDWR | O_EXCL | O_CLOEXEC)
        guard fd >= 0 else { throw HostError.io(path: path, operation: "open for writing", errno: errno) }
        defer { close(fd) }
        for edit in phases.joined()
        where try read(fd, path: path, at: edit.offset, count: edit.expected.count) != edit.expected {
            throw RawDeviceEditError.changed(path: path, offset: edit.offset)
        }
        for phase in phases {
            for edit in phase { try write(fd, path: path, edit.bytes, at: edit.offset) }
            guard fsync(fd) == 0 else { throw HostError.io(path: path, operation: "fsync", errno: errno) }
        }
        for edit in phases.joined()
        where try read(fd, path: path, at: edit.offset, count: edit.bytes.count) != edit.bytes {
            throw RawDeviceEditError.notWritten(path: path, offset: edit.offset)
        }
    }

    static func read(_ fd: Int32, path: String, at offset: Int, count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = buffer.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done))
            }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else {
                if got == 0 { throw RawDeviceEditError.pastEnd(path: path, offset: offset + done) }
                throw HostError.io(path: path, operation: "read at byte \(offset + done) of", errno: errno)
            }
            done += got
        }
        return buffer
    }

    static func write(_ fd: Int32, path: String, _ bytes: [UInt8], at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let put = bytes.withUnsafeBytes {
                pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset + done))
            }
            if put < 0, errno == EINTR { continue }
            guard put > 0 else {
                if put == 0 { throw RawDeviceEditError.pastEnd(path: path, offset: offset + done) }
                throw HostError.io(path: path, operation: "write at byte \(offset + done) of", errno: errno)
            }
            done += put
        }
    }

}

/// An edit that was not made, or not made as planned; names the device and the byte.
public enum RawDeviceEditError: Error, Equatable, CustomStringConvertible {
    /// The bytes there are no longer those the plan was made from: nothing was written.
    case changed(path: String, offset: Int)
    /// Reading back after the writes gave other bytes.
    case notWritten(path: String, offset: Int)
    case pastEnd(path: String, offset: Int)

    public var description: String {
        switch self {
        case .changed(let path, let offset):
            "\(path) changed at byte \(offset) since it was read: nothing written"
        case .notWritten(let path, let offset): "\(path): byte \(offset) does not read back as written"
        case .pastEnd(let path, let offset): "\(path) ends before byte \(offset)"
        }
    }
}
