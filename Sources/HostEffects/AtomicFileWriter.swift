import AgentBase
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Ownership to give a written file (numeric: resolved inside the target root).
public struct FileOwner: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }
}

/// Writes files so that readers see the old content or the new, never a mix: a temporary
/// file in the same directory gets mode and owner first, then the data, fsync, rename,
/// and an fsync of the directory. A crash at any point leaves the old file intact.
/// With `pendingDirectorySyncs`, the directory's fsync waits for the end of the plugin
/// step (`PendingDirectorySyncs.flush`); the data's fsync never waits.
public struct AtomicFileWriter: Sendable {
    public let root: SystemRoot
    /// Where renames' directory syncs wait; nil syncs each directory at once.
    public let pendingDirectorySyncs: PendingDirectorySyncs?

    public init(root: SystemRoot, pendingDirectorySyncs: PendingDirectorySyncs? = nil) {
        self.root = root
        self.pendingDirectorySyncs = pendingDirectorySyncs
    }

    /// `write`, skipped when the file already holds exactly `data` (a second run changes
    /// nothing, not even the file's time). True when it wrote.
    @discardableResult
    public func writeIfChanged(_ data: Data, to guestPath: String, mode: mode_t = 0o644) throws -> Bool {
        guard try read(guestPath) != data else { return false }
        try write(data, to: guestPath, mode: mode)
        return true
    }

    /// Atomically replaces the guest file `guestPath` with `data`.
    /// Refuses to follow a symbolic link at the target or in any parent under the root,
    /// so a hostile image or user cannot redirect a root-owned write elsewhere.
    public func write(_ data: Data, to guestPath: String, mode: mode_t = 0o644, owner: FileOwner? = nil) throws {
        let target = try root.resolve(guestPath)
        // "/" (or "//") resolves to the root itself: its "parent" would be outside the root.
        guard !SystemRoot.components(of: guestPath).isEmpty else {
            throw UnsafePathError(path: guestPath, problem: "it names the root directory, not a file")
        }
        try refuseSymlinks(upTo: target)
        let (directory, name) = SystemRoot.parentAndName(of: target)
        let (temporary, fd) = try TemporarySibling.create(in: directory, for: name, mode: mode)
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            // Owner first, then mode: chown(2) clears the setuid and setgid bits, so the
            // other order would silently turn a requested 4755 into 0755.
            if let owner, fchown(fd, owner.uid, owner.gid) != 0 {
                throw HostError.io(path: temporary, operation: "chown", errno: errno)
            }
            guard fchmod(fd, mode) == 0 else { throw HostError.io(path: temporary, operation: "chmod", errno: errno) }
            try data.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }  // empty data: nothing to write
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fd, base + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw HostError.io(path: temporary, operation: "write", errno: errno)
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw HostError.io(path: temporary, operation: "fsync", errno: errno) }
        }
        guard rename(temporary, target) == 0 else {
            throw HostError.io(path: target, operation: "rename", errno: errno)
        }
        committed = true
        TemporarySibling.removeLeftovers(in: directory, for: name)
        syncRenames(in: directory)
    }

    /// Makes renames in `hostDirectory` durable now, or at the end of the step.
    private func syncRenames(in hostDirectory: String) {
        if let pendingDirectorySyncs {
            pendingDirectorySyncs.add(hostDirectory)
        } else {
            Self.syncDirectory(hostDirectory)
        }
    }

    /// fsync of a directory, so a rename in it survives a crash (best effort: some
    /// filesystems refuse it, and the rename itself has already happened).
    static func syncDirectory(_ hostPath: String) {
        let descriptor = open(hostPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }

    /// Creates the guest directory `guestPath` and missing parents (parents get 0755 root;
    /// the last one gets `mode` and `owner`). Refuses symbolic links on the way.
    /// With `createOnly`, an existing directory keeps its mode and owner.
    public func makeDirectory(
        _ guestPath: String, mode: mode_t = 0o755, owner: FileOwner? = nil, createOnly: Bool = false
    ) throws {
        let target = try root.resolve(guestPath)
        try refuseSymlinks(upTo: target)
        var isDirectory = false
        if createOnly && FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) && isDirectory {
            return
        }
        var current = root.hostPath
        let components = guestComponents(of: target)
        for (index, component) in components.enumerated() {
            current += "/" + component
            let isLast = index == components.count - 1
            if mkdir(current, isLast ? mode : 0o755) != 0 && errno != EEXIST {
                throw HostError.io(path: current, operation: "mkdir", errno: errno)
            }
        }
        // Owner before mode, the same order as for files (Linux keeps a directory's setgid
        // bit across chown(2), but the order should not depend on knowing that).
        if let owner, chown(target, owner.uid, owner.gid) != 0 {
            throw HostError.io(path: target, operation: "chown", errno: errno)
        }
        guard chmod(target, mode) == 0 else { throw HostError.io(path: target, operation: "chmod", errno: errno) }
    }

    /// Gives the existing guest file or directory `guestPath` to `owner`: the entry itself
    /// only, never what a directory contains. Refuses a symbolic link at the path or on
    /// the way to it; lchown(2) changes the entry itself even if a link is swapped in.
    public func changeOwner(_ guestPath: String, to owner: FileOwner) throws {
        let target = try root.resolve(guestPath)
        try refuseSymlinks(upTo: target)
        guard lchown(target, owner.uid, owner.gid) == 0 else {
            throw HostError.io(path: target, operation: "chown", errno: errno)
        }
    }

    /// Renames the guest path `source` to `destination`, which must not exist yet, then
    /// syncs the directory: a tree prepared under a temporary name appears whole or not
    /// at all. Refuses symbolic links on both paths.
    public func moveIntoPlace(_ source: String, at destination: String) throws {
        let from = try root.resolve(source)
        let to = try root.resolve(destination)
        try refuseSymlinks(upTo: from)
        try refuseSymlinks(upTo: to)
        var info = stat()
        guard lstat(to, &info) != 0 else { throw HostError.io(path: to, operation: "move into place", errno: EEXIST) }
        // Why rename(2) without RENAME_NOREPLACE (renameat2 is not exported to Swift): should
        // something appear at `to` after the check, renaming a directory fails on a file, a
        // symbolic link or a non-empty directory and can only replace an empty directory.
        // Callers move directories; for a file only the check above protects.
        guard rename(from, to) == 0 else { throw HostError.io(path: to, operation: "rename", errno: errno) }
        syncRenames(in: SystemRoot.parentAndName(of: to).parent)
    }

    /// Makes `guestPath` a symbolic link to `destination` (text, not resolved: `/usr/share/...`
    /// means the root's own file once the image boots), replacing whatever link or file is
    /// there atomically: the link is made under a temporary name beside it and renamed over
    /// it, then the directory is synced. A symbolic link among the parents is refused; the
    /// path itself may be one (it is what gets replaced, never followed).
    public func makeSymbolicLink(at guestPath: String, pointingTo destination: String) throws {
        let target = try root.resolve(guestPath)
        let (directory, name) = SystemRoot.parentAndName(of: target)
        try refuseSymlinks(upTo: directory)
        var temporary = ""
        var made = false
        for _ in 0..<16 where !made {
            temporary =
                directory + "/." + name + TemporarySibling.marker + TemporarySibling.randomPart()
                + TemporarySibling.suffix
            if symlink(destination, temporary) == 0 {
                made = true
            } else if errno != EEXIST {
                break
            }
        }
        guard made else { throw HostError.io(path: temporary, operation: "symlink", errno: errno) }
        guard rename(temporary, target) == 0 else {
            let failure = errno
            unlink(temporary)
            throw HostError.io(path: target, operation: "rename", errno: failure)
        }
        syncRenames(in: directory)
    }

    /// Reads a guest file, nil when it does not exist.
    public func read(_ guestPath: String) throws -> Data? {
        let target = try root.resolve(guestPath)
        guard FileManager.default.fileExists(atPath: target) else { return nil }
        try refuseSymlinks(upTo: target)
        guard let data = FileManager.default.contents(atPath: target) else {
            throw HostError.io(path: target, operation: "read", errno: errno)
        }
        return data
    }

    /// Opens the guest file for appending (created with `mode` when missing), refusing a
    /// symbolic link at the file or on its path, like every other write.
    public func openForAppend(_ guestPath: String, mode: mode_t = 0o600) throws -> Int32 {
        let target = try root.resolve(guestPath)
        try refuseSymlinks(upTo: target)
        let fd = open(target, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw HostError.io(path: target, operation: "open", errno: errno) }
        return fd
    }

    /// Removes the guest file or directory tree at `guestPath` (nothing when absent).
    /// A symbolic link on the path is refused; links inside the tree are removed as
    /// links, never followed, so nothing outside the root can be deleted.
    public func remove(_ guestPath: String) throws {
        let target = try root.resolve(guestPath)
        try refuseSymlinks(upTo: target)
        try Self.removeTree(target)
    }

    /// Renames the guest file to the first free `NAME.tag-N` beside it (kept for
    /// inspection, never overwriting an earlier copy); returns the new host path.
    @discardableResult
    public func moveAside(_ guestPath: String, tag: String) throws -> String {
        let target = try root.resolve(guestPath)
        try refuseSymlinks(upTo: target)
        for number in 1...10_000 {
            let candidate = "\(target).\(tag)-\(number)"
            // link(2) fails when the name exists, so two moves can never pick the same name.
            if link(target, candidate) == 0 {
                guard unlink(target) == 0 else { throw HostError.io(path: target, operation: "unlink", errno: errno) }
                return candidate
            }
            guard errno == EEXIST else { throw HostError.io(path: candidate, operation: "link", errno: errno) }
        }
        throw HostError.io(path: target, operation: "move aside", errno: EEXIST)
    }

    private static func removeTree(_ hostPath: String) throws {
        var info = stat()
        guard lstat(hostPath, &info) == 0 else {
            if errno == ENOENT { return }
            throw HostError.io(path: hostPath, operation: "stat", errno: errno)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try FileManager.default.contentsOfDirectory(atPath: hostPath) {
                try removeTree(hostPath + "/" + name)
            }
            guard rmdir(hostPath) == 0 else { throw HostError.io(path: hostPath, operation: "rmdir", errno: errno) }
        } else {
            guard unlink(hostPath) == 0 else { throw HostError.io(path: hostPath, operation: "unlink", errno: errno) }
        }
    }

    private func refuseSymlinks(upTo hostPath: String) throws {
        var current = root.hostPath
        for component in guestComponents(of: hostPath) {
            current += "/" + component
            var info = stat()
            if lstat(current, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK {
                throw HostError.symlinkInPath(current)
            }
        }
    }

    /// The components of a resolved host path below the root, split as the kernel splits.
    ///
    /// Why bytes and scalars, not Characters: a root ending in a prepend mark, or a slash
    /// followed by a combining mark, joins two Characters across the `/`, and a Character
    /// split would then skip checking (or creating) the directory before it.
    private func guestComponents(of hostPath: String) -> [String] {
        let below = String(decoding: hostPath.utf8.dropFirst(root.hostPath.utf8.count), as: UTF8.self)
        return SystemRoot.components(of: below)
    }
}
