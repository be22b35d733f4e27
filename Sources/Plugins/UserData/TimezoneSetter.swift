import FoundationEssentials
import HostEffects

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
        try context.writer.makeDirectory("/etc", mode: 0o755, createOnly: true)
        try context.writer.makeSymbolicLink(at: "/etc/localtime", pointingTo: zoneFile)
        context.logger.info("set the time zone from cloud-config", metadata: ["zone": "\(zone)"])
    }
}
