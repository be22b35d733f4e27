import AgentBase
import FoundationEssentials

/// Finds the programs plugins run (`useradd`, `visudo`, later `growpart`, `ssh-keygen`)
/// in the target root, never on the PATH of the machine the agent happens to run on: with
/// `--root /mnt/image` the image's own tools are used, and a tool the image lacks is
/// missing even when the build machine has it, as it will be at first boot.
public struct ToolLocator: Sendable {
    /// Searched in this order inside the root (Debian's default PATH for root).
    public static let directories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    public let root: SystemRoot

    public init(root: SystemRoot) {
        self.root = root
    }

    /// The host path of the executable `name` under the root, or nil. `name` must be a bare
    /// program name; an absolute path is checked as a path on this machine.
    public func find(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        return guestPath(of: name).flatMap { try? root.resolve($0) }
    }

    /// Where the executable `name` (a bare program name) is inside the root
    /// (`/usr/bin/apt-get`): the path a program run in a chroot of the root is given.
    public func guestPath(of name: String) -> String? {
        guard !name.isEmpty, !name.contains("/") else { return nil }
        return Self.directories.map { $0 + "/" + name }.first { candidate in
            (try? root.resolve(candidate)).map { FileManager.default.isExecutableFile(atPath: $0) } ?? false
        }
    }
}
