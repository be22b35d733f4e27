import DataSources

/// The one table of plugin ids: each id with its factory, or none for the ids the
/// documented contract reserves for plugins not built yet (configuring one is an error,
/// exit 64, with a message that says so). Every other list of ids is derived from it.
public enum PluginRegistry {
    static let table: [(id: String, make: (@Sendable () -> any Plugin)?)] = [
        // The local stage's plugins first: the network before anything else.
        ("network", { NetworkPlugin() }),
        ("hostname", { HostnamePlugin() }),
        ("resize", { ResizePlugin() }),
        ("host_keys", { HostKeysPlugin() }),
        ("users", { UsersPlugin() }),
        // After users (the account must exist), every boot: the password OpenNebula or CloudStack gives.
        ("platform_password", { PlatformPasswordPlugin() }),
        ("password", { PasswordPlugin() }),
        ("ssh_keys", { SSHKeysPlugin() }),
        ("files", { InjectedFilesPlugin() }),
        ("userdata", { UserDataPlugin() }),
        // Every boot, after everything else: the platform's startup script (GCE), as Google's
        // guest environment runs it once the instance is up.
        ("startup_script", { StartupScriptPlugin() }),
    ]

    /// Every id the configuration accepts, each backed by a real plugin.
    public static let knownIDs = table.filter { $0.make != nil }.map(\.id)
    /// Ids reserved for plugins not built yet.
    public static let plannedIDs = table.filter { $0.make == nil }.map(\.id)
    /// What runs when `plugins` is not set: every plugin, in the table's order, so
    /// `userdata` after `files` (as cloud-init runs user data by default, after the
    /// instance is set up: its scripts find the users, keys and files in place), and the
    /// platform's startup script last.
    public static let defaultPluginIDs = knownIDs

    /// What the plugins `ids` read beyond the basics, for the sources to fetch.
    public static func needs(of ids: [String]) -> MetadataNeeds {
        ids.compactMap(make).reduce(into: MetadataNeeds()) { $0.formUnion($1.needs) }
    }

    public static func make(_ id: String) -> (any Plugin)? {
        table.first { $0.id == id }?.make?()
    }
}
