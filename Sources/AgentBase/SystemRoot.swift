import FoundationEssentials

/// The one root every filesystem path goes through (`/` on a booted guest, a mounted
/// image or a test's temporary directory with `--root`). This is the read-only view data
/// sources use (config drive devices, DMI strings); plugins write through it with the
/// `AtomicFileWriter` of the Plugins library.
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

    /// Longest guest path accepted, in bytes: PATH_MAX (4096) less the terminating NUL.
    public static let maximumPathBytes = 4095
    /// Longest single component accepted, in bytes (NAME_MAX).
    public static let maximumComponentBytes = 255

    /// Why `guestPath` cannot be resolved under a root, or nil when it can. This is the
    /// whole rule: `resolve` applies it, and the configuration applies it to every
    /// path-valued key, so a value the configuration accepts can always be resolved.
    ///
    /// Empty components (`//`, a trailing `/`) are accepted: POSIX reads them as one `/`
    /// and `resolve` drops them, so they cannot change which file is meant.
    public static func problem(with guestPath: String) -> String? {
        // Bytes, not Characters, throughout: the kernel compares bytes (see `components`).
        guard guestPath.utf8.first == UInt8(ascii: "/") else { return "it is not absolute" }
        guard !guestPath.utf8.contains(0) else { return "it contains a NUL byte" }
        guard guestPath.utf8.count <= maximumPathBytes else { return "it is longer than \(maximumPathBytes) bytes" }
        let parts = components(of: guestPath)
        if parts.contains(where: { $0.utf8.elementsEqual(".".utf8) || $0.utf8.elementsEqual("..".utf8) }) {
            return "it has a '.' or '..' component"
        }
        if parts.contains(where: { $0.utf8.count > maximumComponentBytes }) {
            return "it has a component longer than \(maximumComponentBytes) bytes"
        }
        return nil
    }

    /// The non-empty `/`-separated components of a path, as the kernel sees them.
    ///
    /// Why scalars and not `Character`s: a combining mark after a slash joins it into one
    /// Character (`"/\u{301}"`), so a Character split of `/../\u{301}etc` sees no `..`
    /// component while the kernel sees one.
    public static func components(of path: String) -> [String] {
        path.unicodeScalars.split(separator: "/").map { String(String.UnicodeScalarView($0)) }
    }

    /// `path` split at its last `/` (trailing slashes ignored): `("/var/log", "x.log")`,
    /// `("/", "x.log")` for `/x.log`, `("", name)` when there is no slash at all.
    ///
    /// Why not NSString's `deletingLastPathComponent`: on Linux it splits on Characters,
    /// so in `/x/a/\u{301}b` it takes `a/\u{301}b` for the last component.
    public static func parentAndName(of path: String) -> (parent: String, name: String) {
        var scalars = Array(path.unicodeScalars)
        while scalars.count > 1, scalars.last == "/" { scalars.removeLast() }
        let text = { (slice: ArraySlice<Unicode.Scalar>) in String(String.UnicodeScalarView(slice)) }
        guard let cut = scalars.lastIndex(of: "/") else { return ("", text(scalars[...])) }
        return (cut == 0 ? "/" : text(scalars[..<cut]), text(scalars[(cut + 1)...]))
    }

    /// The host path of an absolute guest path. Refuses what `problem(with:)` refuses, so
    /// that nothing can resolve outside the root; symlinks are checked by the writer.
    public func resolve(_ guestPath: String) throws -> String {
        if let problem = Self.problem(with: guestPath) { throw UnsafePathError(path: guestPath, problem: problem) }
        return hostPath + "/" + Self.components(of: guestPath).joined(separator: "/")
    }
}

/// A guest path that cannot be resolved under a root, and why (`SystemRoot.problem(with:)`).
public struct UnsafePathError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "unsafe path '\(TextPreview.line(path))': \(problem)" }
}
