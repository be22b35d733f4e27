import FoundationEssentials

/// The ssh_keys plugin's settings.
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct SSHKeysConfig: SettingsGroup {
    /// `ssh_keys_for_root`
    public var sshKeysForRoot: Bool = false

    public init() {}

    static let title = "The ssh_keys plugin"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "ssh_keys_for_root",
            help: "Also install the metadata SSH keys for root.",
            show: { String($0.sshKeysForRoot) },
            apply: { $0.sshKeysForRoot = try ConfigSchema.boolean($1) }
        )
    ]
}
