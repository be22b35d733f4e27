import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Errors from the host OS layer; each names the path or command.
public enum HostError: Error, CustomStringConvertible, Equatable {
    case symlinkInPath(String)
    case io(path: String, operation: String, errno: Int32)
    case commandFailed(argv: [String], status: String, stderr: String)
    case commandNotFound(String)

    public var description: String {
        switch self {
        case .symlinkInPath(let path): "refusing to write through a symbolic link at \(path)"
        case .io(let path, let operation, let code): "\(operation) \(path): \(String(cString: strerror(code)))"
        case .commandFailed(let argv, let status, let stderr):
            "\(argv.joined(separator: " ")) \(status)" + (stderr.isEmpty ? "" : ": \(stderr)")
        case .commandNotFound(let name): "command not found: \(name)"
        }
    }
}
