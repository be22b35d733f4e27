import Foundation

/// The one root every filesystem path goes through (`/` on a booted guest, a mounted
/// image or a test's temporary directory with `--root`).
public struct SystemRoot: Sendable, Equatable {
    /// Absolute host path of the root, without a trailing slash (empty for `/`).
    public let hostPath: String

    public init(_ path: String) {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        hostPath = trimmed
    }

    public static let live = SystemRoot("/")

    /// True when the agent acts on the running system (live hostname, real users).
    public var isLiveSystem: Bool { hostPath.isEmpty }

    /// The host path of an absolute guest path. Refuses relative paths and `..` components
    /// so that nothing can resolve outside the root; symlinks are checked by the writer.
    public func resolve(_ guestPath: String) throws -> String {
        guard guestPath.hasPrefix("/") else { throw HostError.unsafePath(guestPath, "not absolute") }
        let parts = guestPath.split(separator: "/")
        guard !parts.contains(where: { $0 == ".." || $0 == "." }) else {
            throw HostError.unsafePath(guestPath, "contains '.' or '..'")
        }
        guard !guestPath.contains("\0") else { throw HostError.unsafePath(guestPath, "contains NUL") }
        return hostPath + "/" + parts.joined(separator: "/")
    }

    /// `resolve` for paths the agent itself builds (constants); traps on programmer error.
    public func path(_ guestPath: String) -> String {
        do { return try resolve(guestPath) } catch { preconditionFailure("\(error)") }
    }
}

/// Errors from the host OS layer; each names the path or command.
public enum HostError: Error, CustomStringConvertible, Equatable {
    case unsafePath(String, String)
    case symlinkInPath(String)
    case io(path: String, operation: String, errno: Int32)
    case commandFailed(argv: [String], status: String, stderr: String)
    case commandNotFound(String)

    public var description: String {
        switch self {
        case .unsafePath(let path, let why): "unsafe path '\(path)': \(why)"
        case .symlinkInPath(let path): "refusing to write through a symbolic link at \(path)"
        case .io(let path, let operation, let code): "\(operation) \(path): \(String(cString: strerror(code)))"
        case .commandFailed(let argv, let status, let stderr):
            "\(argv.joined(separator: " ")) \(status)" + (stderr.isEmpty ? "" : ": \(stderr)")
        case .commandNotFound(let name): "command not found: \(name)"
        }
    }
}
