import FoundationEssentials

/// The host_keys plugin's settings.
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct HostKeysConfig: SettingsGroup {
    /// `ssh_host_key_types`
    public var sshHostKeyTypes: [SSHHostKeyType] = [.ed25519, .ecdsa, .rsa]

    public init() {}

    static let title = "The host_keys plugin"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "ssh_host_key_types",
            help:
                "SSH host key types the host_keys plugin generates for a new instance (ed25519 first): ed25519, ecdsa, rsa.",
            show: { ConfigSchema.show($0.sshHostKeyTypes.map(\.rawValue)) },
            apply: { $0.sshHostKeyTypes = try ConfigSchema.choices($1) }
        )
    ]
}
