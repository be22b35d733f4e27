import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// cloud-config `timezone`: /etc/timezone and the /etc/localtime link into the root's
/// own zoneinfo, as Debian's tzdata leaves them.
struct TimezoneSetter: Sendable {
    let context: PluginContext

    /// `zone` must be a zoneinfo name (`Europe/Paris`, `UTC`) that the root has.
    func set(_ zone: String) throws {
        let allowed = /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/
        guard (try? allowed.wholeMatch(in: zone)) != nil, zone.count <= 64 else {
            throw CloudConfigError.type("timezone", "a zoneinfo name such as Europe/Paris")
        }
        let zoneFile = "/usr/share/zoneinfo/" + zone
        guard FileManager.default.fileExists(atPath: try context.root.resolve(zoneFile)) else {
            throw CloudConfigError.type("timezone", "a zone the root has (\(zoneFile) does not exist)")
        }
        try context.writer.write(Data((zone + "\n").utf8), to: "/etc/timezone", mode: 0o644)
        // A symbolic link made beside the target and renamed over it: atomic, and /etc
        // itself was checked for links by makeDirectory.
        try context.writer.makeDirectory("/etc", mode: 0o755, createOnly: true)
        let target = try context.root.resolve("/etc/localtime")
        let temporary = try context.root.resolve("/etc/.localtime.guest-agent.tmp")
        unlink(temporary)
        guard symlink(zoneFile, temporary) == 0 else {
            throw HostError.io(path: temporary, operation: "symlink", errno: errno)
        }
        guard rename(temporary, target) == 0 else {
            unlink(temporary)
            throw HostError.io(path: target, operation: "rename", errno: errno)
        }
        context.logger.info("set the time zone from cloud-config", metadata: ["zone": "\(zone)"])
    }
}
