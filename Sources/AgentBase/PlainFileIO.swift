import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whole-descriptor and file-tail reads over read(2). Why not `FileHandle`: it is corelibs
/// Foundation, whose use links ICU's 34 MB of data into the agent (issue 12).
public enum PlainFileIO {
    /// Everything readable from `descriptor` until end of file; nil on a read error.
    public static func readAll(_ descriptor: Int32) -> Data? {
        var result = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { return result }
            result.append(contentsOf: buffer[0..<got])
        }
    }

    /// The last `maxBytes` bytes of the file at `path` (all of it when shorter); nil when it
    /// cannot be opened or read.
    public static func readTail(ofFile path: String, maxBytes: Int) -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let size = lseek(descriptor, 0, SEEK_END)
        guard size >= 0, lseek(descriptor, size > off_t(maxBytes) ? size - off_t(maxBytes) : 0, SEEK_SET) >= 0 else {
            return nil
        }
        return readAll(descriptor)
    }

    /// At most the first `maxBytes` bytes of the small file at `path` (`/proc/cmdline`, a DMI
    /// string); nil when it cannot be opened or read. Opened non-blocking, so a FIFO in a
    /// prepared root reads as empty instead of hanging the caller.
    public static func readPrefix(ofFile path: String, maxBytes: Int) -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        var filled = 0
        while filled < maxBytes {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, maxBytes - filled) }
            if got < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN ? Data(buffer[0..<filled]) : nil
            }
            if got == 0 { break }
            filled += got
        }
        return Data(buffer[0..<filled])
    }
}
