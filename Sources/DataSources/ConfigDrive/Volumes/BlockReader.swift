import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Bounds-checked positional reads from a block device or image file.
///
/// Every read first checks `stop`: once the discovery deadline has raised it, the walk that
/// reads ends at its next read with `VolumeReadError.stopped` (see `BlockingWork`).
final class BlockReader: @unchecked Sendable {
    let path: String
    let size: Int
    let stop: StopFlag
    private let fd: Int32

    init(path: String, stop: StopFlag = StopFlag()) throws {
        self.path = path
        self.stop = stop
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VolumeReadError.io(path: path, offset: 0, reason: String(cString: strerror(errno))) }
        // lseek(SEEK_END) gives the size of block devices too (fstat says 0 for them).
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else {
            close(fd)
            throw VolumeReadError.io(path: path, offset: 0, reason: String(cString: strerror(errno)))
        }
        size = Int(end)
    }

    deinit {
        close(fd)
    }

    /// Exactly `count` bytes at `offset`; anything past the end is damage, not a short read.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard !stop.isRaised else { throw VolumeReadError.stopped(path: path) }
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw VolumeReadError.corrupt(
                path: path, what: "a structure at byte \(offset) (+\(count)) lies past the end (\(size) bytes)")
        }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            // The loop runs only for count > 0, so the buffer has storage.
            let got = buffer.withUnsafeMutableBytes { raw in
                raw.baseAddress.map { pread(fd, $0 + done, count - done, off_t(offset + done)) } ?? 0
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw VolumeReadError.io(
                    path: path, offset: offset + done,
                    reason: got == 0 ? "unexpected end" : String(cString: strerror(errno)))
            }
            done += got
        }
        return buffer
    }
}

extension Array where Element == UInt8 {
    func le16(_ at: Int) -> Int { Int(self[at]) | Int(self[at + 1]) << 8 }
    func le32(_ at: Int) -> Int { le16(at) | le16(at + 2) << 16 }
    func be16(_ at: Int) -> Int { Int(self[at]) << 8 | Int(self[at + 1]) }
}
