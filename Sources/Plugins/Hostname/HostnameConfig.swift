import FoundationEssentials

/// The hostname plugin's settings (also what user data's `hostname` follows).
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct HostnameConfig: SettingsGroup {
    /// `netbios_host_name_compatibility`
    public var netbiosHostNameCompatibility: Bool = false
    /// `manage_etc_hosts`
    public var manageEtcHosts: Bool = true

    public init() {}

    static let title = "The hostname plugin"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "netbios_host_name_compatibility",
            help: "Cut the host name to 15 characters, as Windows NetBIOS names require.",
            show: { String($0.netbiosHostNameCompatibility) },
            apply: { $0.netbiosHostNameCompatibility = try ConfigSchema.boolean($1) }
        ),
        SettingKey(
            name: "manage_etc_hosts",
            help: "Keep a line for the host name in /etc/hosts (only the agent's own line).",
            show: { String($0.manageEtcHosts) },
            apply: { $0.manageEtcHosts = try ConfigSchema.boolean($1) }
        ),
    ]
}
