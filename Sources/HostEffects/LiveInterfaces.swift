import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The running system's network interfaces, for what must happen to them before the network
/// starts. Plugins get one only when the agent acts on the running system (`--root /`), as
/// with `LiveHostname`; tests pass a recording fake or run the real one in a namespace.
public protocol LiveInterfaces: Sendable {
    /// Renames interface `name` to `newName` if it is down. An interface that is up is left
    /// as it is (`InterfaceRenameError.up`): before Linux 6.2 the kernel refuses (`EBUSY`),
    /// and after it renaming a NIC in use would pull the name from under whatever
    /// configured it. A taken `newName` fails (`EEXIST`).
    func rename(_ name: String, to newName: String) throws
}

/// Why a rename did not happen, named so the caller can say what follows from it.
public enum InterfaceRenameError: Error, Equatable, CustomStringConvertible {
    /// The interface is up: only interfaces that are down are renamed.
    case up(String)
    case failed(String, newName: String, errno: Int32)

    public var description: String {
        switch self {
        case .up(let name): "\(name) is up, and only interfaces that are down are renamed"
        case .failed(let name, let newName, let code):
            "renaming \(name) to \(newName) failed: \(String(cString: strerror(code)))"
        }
    }
}

/// SIOCSIFNAME on a datagram socket, in the network namespace the agent runs in: no tool
/// needed (`ip` is not in every minimal image).
public struct KernelInterfaces: LiveInterfaces {
    public init() {}

    /// `name` and `newName` must already be valid interface names (at most 15 bytes).
    public func rename(_ name: String, to newName: String) throws {
        // struct ifreq: ifr_name[IFNAMSIZ], then the union whose ifr_newname is IFNAMSIZ bytes.
        let nameSize = Int(IFNAMSIZ)
        guard name.utf8.count < nameSize, newName.utf8.count < nameSize else {
            throw InterfaceRenameError.failed(name, newName: newName, errno: EINVAL)
        }
        var request = ifreq()
        withUnsafeMutableBytes(of: &request) { bytes in
            for (index, byte) in name.utf8.enumerated() { bytes[index] = byte }
            for (index, byte) in newName.utf8.enumerated() { bytes[nameSize + index] = byte }
        }
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw InterfaceRenameError.failed(name, newName: newName, errno: errno) }
        defer { close(socket) }
        // ifr_flags (a short) is at the start of the union, where ifr_newname also is: read
        // the flags into a copy.
        var flagsRequest = request
        guard withUnsafeMutablePointer(to: &flagsRequest, { ioctl(socket, UInt(SIOCGIFFLAGS), $0) }) == 0 else {
            throw InterfaceRenameError.failed(name, newName: newName, errno: errno)
        }
        let flags = withUnsafeBytes(of: &flagsRequest) { $0.load(fromByteOffset: nameSize, as: Int16.self) }
        guard Int32(flags) & Int32(IFF_UP) == 0 else { throw InterfaceRenameError.up(name) }
        let result = withUnsafeMutablePointer(to: &request) { ioctl(socket, UInt(SIOCSIFNAME), $0) }
        guard result == 0 else {
            let code = errno
            throw code == EBUSY ? InterfaceRenameError.up(name) : .failed(name, newName: newName, errno: code)
        }
    }
}
