import FoundationEssentials

/// The admin user the users, password and ssh_keys plugins (and user data's `default`) work on.
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct AccountConfig: SettingsGroup {
    /// `username`
    public var username: String = "cloud-user"
    /// `groups`
    public var groups: [String] = []

    public init() {}

    static let title = "The admin user"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "username",
            help: "Admin user; metadata meta.admin_username wins when present.",
            show: { $0.username },
            apply: { $0.username = try ConfigSchema.nonEmpty($1) }
        ),
        SettingKey(
            name: "groups",
            help: "Groups for the admin user; empty: the target's admin group (sudo or wheel).",
            show: { ConfigSchema.show($0.groups) },
            apply: { $0.groups = ConfigSchema.list($1) }
        ),
    ]
}
