import FoundationEssentials

/// The userdata plugin's settings.
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct UserDataConfig: SettingsGroup {
    /// `userdata_allow_include`
    public var userdataAllowInclude: Bool = false
    /// `userdata_script_timeout`
    public var userdataScriptTimeout: Double = 600

    public init() {}

    static let title = "The userdata plugin"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "userdata_allow_include",
            help:
                "Let user data name more user data by URL (#include, #include-once): fetched over http(s) like metadata; off: such parts fail.",
            show: { String($0.userdataAllowInclude) },
            apply: { $0.userdataAllowInclude = try ConfigSchema.boolean($1) }
        ),
        SettingKey(
            name: "userdata_script_timeout",
            help:
                "Seconds one user data script, cloud-config command or package manager step may run before its whole process group is killed.",
            show: { ConfigSchema.show($0.userdataScriptTimeout) },
            apply: { $0.userdataScriptTimeout = try ConfigSchema.seconds($1, in: 1...86400) }
        ),
    ]
}
