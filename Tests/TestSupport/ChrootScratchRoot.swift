import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A scratch root in which real interpreters run under `chroot`: the host's `/usr` is
/// bind-mounted READ-ONLY at `root/usr` (with Debian's merged-/usr links `bin`, `sbin`,
/// `lib`, `lib64` beside it), and the account databases are copies, so user data run in it
/// sees sh, bash, python3, useradd and cannot change anything of this machine's.
///
/// Needs root (mount, chroot). `close()` unmounts; the directory is removed after. The mount
/// is checked to be read-only before the root is handed out: a removal that crossed a
/// writable bind mount would delete the host's /usr.
public final class ChrootScratchRoot: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public var path: String { directory.path }
    private var mounted = false

    public init() async throws {
        directory = try UsersRealToolsRoot.makeAccountsOnly()
        let usr = directory.path + "/usr"
        try FileManager.default.createDirectory(atPath: usr, withIntermediateDirectories: true)
        try Self.check(
            await Program.run("/usr/bin/mount", ["--bind", "-o", "ro", "/usr", usr]), "mount --bind -o ro /usr")
        mounted = true
        var info = statvfs()
        guard statvfs(usr, &info) == 0, info.f_flag & UInt(ST_RDONLY) != 0 else {
            close()
            throw ChrootScratchRootError(description: "the bind mount of /usr at \(usr) is not read-only: refused")
        }
        for (link, target) in [("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"), ("lib64", "usr/lib64")]
        where FileManager.default.fileExists(atPath: "/" + target) {
            try FileManager.default.createSymbolicLink(atPath: directory.path + "/" + link, withDestinationPath: target)
        }
        for (name, mode) in [("tmp", 0o1777), ("dev", 0o755), ("root", 0o700), ("var/lib", 0o755)] {
            try FileManager.default.createDirectory(
                atPath: directory.path + "/" + name, withIntermediateDirectories: true)
            chmod(directory.path + "/" + name, mode_t(mode))
        }
        // /dev/null, which scripts redirect to (a character device: 1, 3).
        // makedev(1, 3), written out: makedev is a macro Swift does not see.
        mknod(directory.path + "/dev/null", S_IFCHR | 0o666, dev_t((1 << 8) | 3))
        chmod(directory.path + "/dev/null", 0o666)
    }

    /// Unmounts /usr (lazily if busy). Call it before the value goes away. Blocks its
    /// thread for the umount (see `Program.cleanUp`).
    public func close() {
        guard mounted else { return }
        let usr = directory.path + "/usr"
        if Program.cleanUp("umount", [usr]) != 0 {
            Program.cleanUp("umount", ["-l", usr])
        }
        mounted = false
    }

    deinit { close() }

    private static func check(_ result: ProgramResult, _ what: String) throws {
        guard result.status == 0 else {
            throw ChrootScratchRootError(description: "\(what) failed (\(result.status)): \(result.standardError)")
        }
    }
}

public struct ChrootScratchRootError: Error, CustomStringConvertible {
    public var description: String
}
