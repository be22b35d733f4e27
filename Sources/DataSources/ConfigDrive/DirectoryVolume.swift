import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// A config drive that is already mounted (or unpacked) at a directory.
///
/// The drive's content is untrusted: a symbolic link on it must not make the agent read
/// a file outside the drive, so every component is opened without following links.
public struct DirectoryVolume: ConfigDriveVolume {
    public let directory: String
    public let label: String

    public init(directory: String, label: String = "config-2") {
        self.directory = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.label = label
    }

    public func readFile(_ path: String, maxBytes: Int) throws -> Data? {
        guard let full = try safePath(path) else { return nil }
        var info = stat()
        guard lstat(full, &info) == 0 else { return nil }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw DataSourceError.unsafeContent(location: full, reason: "not a regular file")
        }
        guard Int(info.st_size) <= maxBytes else {
            throw DataSourceError.documentTooLarge(location: full, limit: maxBytes)
        }
        let fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw DataSourceError.transport(url: full, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 { throw DataSourceError.transport(url: full, reason: String(cString: strerror(errno))) }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
            if data.count > maxBytes { throw DataSourceError.documentTooLarge(location: full, limit: maxBytes) }
        }
        return data
    }

    public func listDirectory(_ path: String) throws -> [String]? {
        guard let full = try safePath(path) else { return nil }
        var info = stat()
        guard lstat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
        return try FileManager.default.contentsOfDirectory(atPath: full).sorted()
    }

    /// The host path for a drive-relative path, nil when a component is missing; throws
    /// when a component is a symbolic link or `..`.
    private func safePath(_ path: String) throws -> String? {
        var current = directory
        for component in path.split(separator: "/") {
            guard component != "..", component != "." else {
                throw DataSourceError.unsafeContent(location: directory + "/" + path, reason: "'..' in path")
            }
            current += "/" + component
            var info = stat()
            guard lstat(current, &info) == 0 else { return nil }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                throw DataSourceError.unsafeContent(location: current, reason: "symbolic link on the config drive")
            }
        }
        return current
    }
}
