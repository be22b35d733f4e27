import FoundationEssentials

/// The host_keys plugin's settings.
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct HostKeysConfig: SettingsGroup {
    /// `ssh_host_key_types`. RSA is left out by default: its 3072-bit prime search is the
    /// slowest step of a first boot (0.3 to 1.2 s here, about 9 s under emulation), and every
    /// OpenSSH client since 6.5 (2014) prefers Ed25519. `rsa` in the list makes one, beside
    /// the other plugins (issue 31).
    public var sshHostKeyTypes: [SSHHostKeyType] = [.ed25519, .ecdsa]

    public init() {}

    static let title = "The host_keys plugin"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "ssh_host_key_types",
            help:
                "SSH host key types the host_keys plugin generates for a new instance (ed25519 first): ed25519, ecdsa, rsa (RSA is off by default: the slowest step of a first boot).",
            show: { ConfigSchema.show($0.sshHostKeyTypes.map(\.rawValue)) },
            apply: { $0.sshHostKeyTypes = try ConfigSchema.choices($1) }
        )
    ]
}
