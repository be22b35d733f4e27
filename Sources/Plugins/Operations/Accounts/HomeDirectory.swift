import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// Repairs the home directory of a user that already exists in the target's /etc/passwd.
///
/// Why: a run killed inside `useradd` leaves the user in /etc/passwd without a home. The
/// next run reuses the user, and without this the ssh_keys plugin would create the home
/// as root:root 0755 with none of /etc/skel.
///
/// - A missing home is built from the target's /etc/skel (files and subdirectories;
///   symbolic links and special files are skipped with a log line) under a temporary
///   name beside it, then renamed into place, so an interrupted repair never leaves a
///   half-filled home that the next run would take for a finished one. Everything is
///   owned by the user's uid and gid from the target's /etc/passwd; the home gets the
///   mode of the target's /etc/login.defs (`LoginDefs.homeMode`).
/// - A home owned by another uid is given back to the user (the directory itself, not
///   its contents: they may belong to someone else on purpose) only when it is a directory
///   directly in the base useradd makes homes in (`HomeBase`: /home). Anywhere else the
///   directory may be the system's (/etc, /var/lib, /run/systemd, /): the agent did not
///   create it, so it is not the agent's to give away, and the repair is refused naming
///   the user and the path (`HomeDirectoryError.notGivable`). In the base, a directory
///   named after a user's home exists to be that home, and a foreign owner there is what a
///   useradd killed between mkdir and chown, or an image built with the directory, leaves.
/// - A home that is a symbolic link is refused (`HostError.symlinkInPath`), like every
///   write of `AtomicFileWriter`; so is a symbolic link on the way to a home that needs
///   repairing.
///
/// Every write goes through `context.writer`.
public enum HomeDirectory {
    /// What an existing user's home needs.
    public enum Repair: Sendable, Equatable {
        /// The home does not exist.
        case missing
        /// The home exists but its owner is this other uid.
        case ownedBy(uid: UInt32)
    }

    /// The skeleton directory useradd copies into new homes.
    static let skeleton = "/etc/skel"

    /// What `user`'s home needs, nil when it exists and is theirs. Changes nothing (backs
    /// `plan`). Throws when the home is a symbolic link or not a directory, or is owned by
    /// another uid outside the home base (never given away).
    public static func inspect(_ user: PasswdEntry, root: SystemRoot) throws -> Repair? {
        let home = try homePath(of: user)
        let target = try root.resolve(home)
        var info = stat()
        guard lstat(target, &info) == 0 else {
            if errno == ENOENT { return .missing }
            throw HostError.io(path: target, operation: "stat", errno: errno)
        }
        switch info.st_mode & S_IFMT {
        case S_IFLNK: throw HostError.symlinkInPath(target)
        case S_IFDIR:
            guard info.st_uid != user.uid else { return nil }
            try requireGivable(home, to: user, owner: info.st_uid, root: root)
            return .ownedBy(uid: info.st_uid)
        default: throw HomeDirectoryError.notADirectory(user: user.name, path: target)
        }
    }

    /// Throws `notGivable` unless the foreign-owned `home` may be given to `user`: it is
    /// directly in the home base, and no other account of /etc/passwd has it as its home
    /// (giving it to one would take it from the other).
    private static func requireGivable(_ home: String, to user: PasswdEntry, owner: UInt32, root: SystemRoot) throws {
        func refuse(_ why: String) -> HomeDirectoryError {
            .notGivable(user: user.name, path: home, owner: owner, why: why)
        }
        guard let base = try HomeBase.read(root: root) else {
            throw refuse("\(HomeBase.path) sets no usable HOME, so no directory is known to be a home")
        }
        guard SystemRoot.parentAndName(of: home).parent == base else {
            throw refuse("it is not a directory under \(base) (HOME of \(HomeBase.path)), so it may be the system's")
        }
        let sharing = try PasswdDatabase.entries(root: root).filter {
            !$0.name.utf8.elementsEqual(user.name.utf8) && ((try? homePath(of: $0)) ?? $0.home) == home
        }
        if let other = sharing.first { throw refuse("it is also the home of \(other.name) in /etc/passwd") }
    }

    /// The plan line for `repair`.
    public static func describe(_ repair: Repair, of user: PasswdEntry) -> String {
        let why =
            switch repair {
            case .missing: "missing"
            case .ownedBy(let uid): "owned by uid \(uid)"
            }
        return "repair home directory \((try? homePath(of: user)) ?? user.home) of \(user.name) (\(why))"
    }

    /// Repairs `user`'s home when it needs it and logs a notice for each repair. Returns
    /// what was done, one line per repair (empty when the home was fine).
    @discardableResult
    public static func ensure(for user: PasswdEntry, context: PluginContext) throws -> [String] {
        guard let repair = try inspect(user, root: context.root) else { return [] }
        let home = try homePath(of: user)
        // Why: a user whose home is "/" (it happens for service accounts) must never
        // make the agent chown or rebuild the root of the file system.
        guard home != "/" else {
            throw HomeDirectoryError.unusablePath(user: user.name, path: user.home, why: "it is '/'")
        }
        let owner = FileOwner(uid: user.uid, gid: user.gid)
        let done: String
        switch repair {
        case .ownedBy(let uid):
            try context.writer.changeOwner(home, to: owner)
            done =
                "gave home directory \(home) of \(user.name) back to \(user.uid):\(user.gid)"
                + " (it was owned by uid \(uid); the directory only, not its contents)"
        case .missing:
            let mode = try LoginDefs.read(context.writer).homeMode
            let copied = try create(home, for: user, mode: mode.mode, context: context)
            done =
                "created missing home directory \(home) of \(user.name) from \(skeleton) (\(copied) entries copied),"
                + " owner \(user.uid):\(user.gid), mode \(String(mode.mode, radix: 8).leftPadded(to: 4)) (\(mode.source))"
        }
        context.logger.notice("\(done)", metadata: ["user": "\(user.name)", "path": "\(home)"])
        return [done]
    }

    /// Builds the home under a temporary name beside it, root-only (0700) while it is
    /// being filled so the user cannot plant links in it, then gives it to the user and
    /// renames it into place. Returns how many skeleton entries were copied.
    private static func create(_ home: String, for user: PasswdEntry, mode: mode_t, context: PluginContext) throws
        -> Int
    {
        let (parent, name) = SystemRoot.parentAndName(of: home)
        let staging = (parent == "/" ? "" : parent) + "/.\(name).guest-agent-home.tmp"
        try context.writer.remove(staging)  // what an interrupted repair left behind
        try context.writer.makeDirectory(staging, mode: 0o700)
        let owner = FileOwner(uid: user.uid, gid: user.gid)
        let copied = try copySkeleton(skeleton, into: staging, home: home, owner: owner, context: context)
        try context.writer.makeDirectory(staging, mode: mode, owner: owner)
        try context.writer.moveIntoPlace(staging, at: home)
        return copied
    }

    /// Copies the skeleton directory `source` into `destination` (recursively), files
    /// byte for byte with their permission bits (setuid, setgid and sticky dropped).
    /// Symbolic links are never followed nor copied, only logged.
    private static func copySkeleton(
        _ source: String, into destination: String, home: String, owner: FileOwner,
        context: PluginContext
    ) throws -> Int {
        let sourceHost = try context.root.resolve(source)
        var info = stat()
        guard lstat(sourceHost, &info) == 0 else {
            if errno == ENOENT { return 0 }
            throw HostError.io(path: sourceHost, operation: "stat", errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            skipped(source, info: info, home: home, context: context)
            return 0
        }
        var copied = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: sourceHost).sorted() {
            let from = source + "/" + name
            let to = destination + "/" + name
            guard lstat(sourceHost + "/" + name, &info) == 0 else {
                throw HostError.io(path: sourceHost + "/" + name, operation: "stat", errno: errno)
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                let data = try context.writer.read(from) ?? Data()
                try context.writer.write(data, to: to, mode: info.st_mode & 0o777, owner: owner)
                copied += 1
            case S_IFDIR:
                try context.writer.makeDirectory(to, mode: info.st_mode & 0o777, owner: owner)
                copied += 1 + (try copySkeleton(from, into: to, home: home, owner: owner, context: context))
            default:
                skipped(from, info: info, home: home, context: context)
            }
        }
        return copied
    }

    private static func skipped(_ path: String, info: stat, home: String, context: PluginContext) {
        let kind = info.st_mode & S_IFMT == S_IFLNK ? "symbolic link" : "special file"
        context.logger.warning("skipped \(kind) \(path): not copied into \(home)", metadata: ["path": "\(path)"])
    }

    /// The home from /etc/passwd without trailing slashes; it must be an absolute path.
    static func homePath(of user: PasswdEntry) throws -> String {
        guard user.home.hasPrefix("/") else {
            throw HomeDirectoryError.unusablePath(user: user.name, path: user.home, why: "it is not an absolute path")
        }
        var home = user.home
        while home.count > 1 && home.hasSuffix("/") { home.removeLast() }
        return home
    }
}

public enum HomeDirectoryError: Error, CustomStringConvertible, Equatable {
    case unusablePath(user: String, path: String, why: String)
    case notADirectory(user: String, path: String)
    /// The home (a guest path) is owned by `owner`, and `why` it is not the agent's to give.
    case notGivable(user: String, path: String, owner: UInt32, why: String)

    public var description: String {
        switch self {
        case .unusablePath(let user, let path, let why):
            "refusing to repair the home directory '\(path)' of \(user): \(why)"
        case .notADirectory(let user, let path): "the home directory \(path) of \(user) exists but is not a directory"
        case .notGivable(let user, let path, let owner, let why):
            "refusing to give the home directory \(path) of \(user) (owned by uid \(owner)) to it:"
                + " the agent did not create it, and \(why)"
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
