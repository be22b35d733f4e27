import AgentBase
import FoundationEssentials

/// One line of /etc/passwd.
public struct PasswdEntry: Sendable, Equatable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public var home: String
    public var shell: String
}

/// Reads users from the target root's /etc/passwd (not NSS: with `--root` the host's
/// users are not the image's users).
public enum PasswdDatabase {
    public static func entries(root: SystemRoot) throws -> [PasswdEntry] {
        try AccountFile.records("/etc/passwd", root: root, minimumFields: 7).compactMap { fields in
            guard let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { return nil }
            return PasswdEntry(
                name: String(fields[0]), uid: uid, gid: gid, home: String(fields[5]), shell: String(fields[6]))
        }
    }

    /// The entry named `name`, byte for byte. Why not `==`: Swift compares strings by
    /// canonical equivalence, so `Kim` would find an account named `\u{212A}im` (a Kelvin
    /// sign), which the tools, comparing bytes, know as another user.
    public static func lookUp(_ name: String, root: SystemRoot) throws -> PasswdEntry? {
        try entries(root: root).first { $0.name.utf8.elementsEqual(name.utf8) }
    }
}
