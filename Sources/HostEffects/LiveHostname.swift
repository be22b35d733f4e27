import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The running system's host name. Plugins get one only when the agent acts on the running
/// system (`--root /`), so a run against an image never renames the machine it runs on, and
/// plugin tests pass a recording fake instead of renaming theirs.
public protocol LiveHostname: Sendable {
    /// Sets the kernel's host name (for the UTS namespace the agent runs in).
    func set(_ name: String) throws
}

/// sethostname(2).
public struct KernelHostname: LiveHostname {
    public init() {}

    /// `name` must already be validated (plain ASCII, at most 63 bytes): the kernel takes
    /// bytes and would accept anything up to 64.
    public func set(_ name: String) throws {
        let result = name.withCString { sethostname($0, name.utf8.count) }
        guard result == 0 else {
            throw HostError.io(path: "sethostname(\(name))", operation: "set host name", errno: errno)
        }
    }
}
