import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The temporary file an atomic write fills before renaming it over its target:
/// `.NAME.guest-agent.RANDOM.tmp` in the target's directory.
///
/// Why a random part and not the process id: PIDs repeat (PID namespaces, containers, early
/// boot all start low), so a name left by a killed run could belong to the next run with
/// the same PID, whose O_EXCL create would then fail on every boot. A random name that
/// exists is simply another try.
enum TemporarySibling {
    static let marker = ".guest-agent."
    static let suffix = ".tmp"

    /// Creates a new temporary file beside `name` in the host directory `directory` with
    /// `mode`, exclusively (O_EXCL, never through a link); returns its path and descriptor.
    static func create(in directory: String, for name: String, mode: mode_t) throws -> (path: String, fd: Int32) {
        var path = ""
        for _ in 0..<16 {
            path = directory + "/." + name + marker + randomPart() + suffix
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
            if fd >= 0 { return (path, fd) }
            guard errno == EEXIST else { break }
        }
        throw HostError.io(path: path, operation: "create", errno: errno)
    }

    /// Removes what earlier, interrupted writes of `name` left in `directory`: regular
    /// files named `.NAME.guest-agent.*.tmp` (the PID-named ones of older versions too).
    /// Best effort: a leftover that cannot be removed costs only its space.
    ///
    /// Only one run works on a root at a time (the run lock) and the agent never writes
    /// one file from two threads at once, so no other writer's temporary file is removed.
    static func removeLeftovers(in directory: String, for name: String) {
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        let prefix = "." + name + marker
        while let entry = readdir(handle) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard entryName.hasPrefix(prefix), entryName.hasSuffix(suffix) else { continue }
            let middle = entryName.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count)
            guard !middle.isEmpty, middle.allSatisfy({ isAlphanumeric($0) }) else { continue }
            let path = directory + "/" + entryName
            var info = stat()
            if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG { unlink(path) }
        }
    }

    static func randomPart() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
}
