import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Sets the host name from metadata: `/etc/hostname`, the agent's line in `/etc/hosts`,
/// and the live host name (`context.liveHostname`) when acting on the running system.
public struct HostnamePlugin: Plugin {
    public let id = "hostname"
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.local

    public init() {}

    /// Validated name from `hostname`, else `name` when that is a valid host name.
    func desiredName(_ context: PluginContext) throws -> HostnameValidator.Result? {
        let netbios = context.config.netbiosHostNameCompatibility
        if let hostname = context.metadata.hostname {
            return try HostnameValidator.validate(hostname, netbios: netbios)
        }
        if let name = context.metadata.name {
            return try? HostnameValidator.validate(name, netbios: netbios)
        }
        return nil
    }

    public func plan(_ context: PluginContext) async throws -> PluginPlan {
        guard let name = try desiredName(context) else { return .skip("metadata has no usable host name") }
        var changes = ["write /etc/hostname: \(name.shortName)"]
        if context.config.manageEtcHosts {
            changes.append("set the guest-agent line in /etc/hosts: \(name.fqdn ?? name.shortName)")
        }
        if context.liveHostname != nil { changes.append("set the running host name to \(name.shortName)") }
        return .apply(changes)
    }

    public func apply(_ context: PluginContext) async throws -> PluginOutcome {
        guard let name = try desiredName(context) else { return .done }
        try Self.set(name, context: context)
        return .done
    }

    /// Writes `name` to /etc/hostname and the agent's /etc/hosts line, and sets the live
    /// host name on the running system: the one implementation, also used by cloud-config.
    /// `manageEtcHosts` overrides the agent's `manage_etc_hosts` (cloud-config's own key).
    static func set(_ name: HostnameValidator.Result, context: PluginContext, manageEtcHosts: Bool? = nil) throws {
        try context.writer.write(Data((name.shortName + "\n").utf8), to: "/etc/hostname", mode: 0o644)
        if manageEtcHosts ?? context.config.manageEtcHosts { try writeHostsLine(name, context: context) }
        try context.liveHostname?.set(name.shortName)
    }

    /// The agent's `127.0.1.1 FQDN SHORT` line in /etc/hosts (its marked block; the rest of
    /// the file is kept byte for byte); nothing is written when it is already there.
    static func writeHostsLine(_ name: HostnameValidator.Result, context: PluginContext) throws {
        let existing = try context.writer.read("/etc/hosts")
        let edit = HostsFile.update(existing, shortName: name.shortName, fqdn: name.fqdn)
        for warning in edit.warnings { context.logger.warning("/etc/hosts: \(warning)") }
        if edit.data != existing {
            try context.writer.write(edit.data, to: "/etc/hosts", mode: 0o644)
        }
    }
}
