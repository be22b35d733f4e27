import FoundationEssentials

/// Setting the host name: the one implementation behind the hostname plugin and
/// cloud-config's `hostname`, `fqdn` and `manage_etc_hosts`.
enum HostnameOperations {
    /// The metadata's validated name: `hostname`, else `name` when that is a valid host name.
    static func metadataName(_ context: PluginContext) throws -> HostnameValidator.Result? {
        let netbios = context.config.hostname.netbiosHostNameCompatibility
        if let hostname = context.metadata.hostname {
            return try HostnameValidator.validate(hostname, netbios: netbios)
        }
        if let name = context.metadata.name {
            return try? HostnameValidator.validate(name, netbios: netbios)
        }
        return nil
    }

    /// Writes `name` to /etc/hostname and the agent's /etc/hosts line, and sets the live
    /// host name on the running system. `manageEtcHosts` overrides the agent's
    /// `manage_etc_hosts` (cloud-config's own key).
    static func set(_ name: HostnameValidator.Result, context: PluginContext, manageEtcHosts: Bool? = nil) throws {
        try context.writer.write(Data((name.shortName + "\n").utf8), to: "/etc/hostname", mode: 0o644)
        if manageEtcHosts ?? context.config.hostname.manageEtcHosts { try writeHostsLine(name, context: context) }
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
