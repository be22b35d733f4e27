/// The one table of plugin ids: each id with its factory, or none for the ids the
/// documented contract reserves for plugins not built yet (configuring one is an error,
/// exit 64, with a message that says so). Every other list of ids is derived from it.
public enum PluginRegistry {
    static let table: [(id: String, make: (@Sendable () -> any Plugin)?)] = [
        ("hostname", { HostnamePlugin() }),
        ("users", { UsersPlugin() }),
        ("password", { PasswordPlugin() }),
        ("ssh_keys", { SSHKeysPlugin() }),
        ("files", { InjectedFilesPlugin() }),
        ("network", nil),
        ("userdata", { UserDataPlugin() }),
        ("resize", nil),
        ("host_keys", nil),
    ]

    /// Every id the configuration accepts, each backed by a real plugin.
    public static let knownIDs = table.filter { $0.make != nil }.map(\.id)
    /// Ids reserved for plugins not built yet.
    public static let plannedIDs = table.filter { $0.make == nil }.map(\.id)
    /// What runs when `plugins` is not set: every plugin, in the table's order, but
    /// `userdata`. Why: running user data is opt-in in this version (`plugins = ...,
    /// userdata`), so that an image upgraded to this agent does not start running scripts
    /// it never ran before without its builder deciding so.
    public static let defaultPluginIDs = knownIDs.filter { $0 != "userdata" }

    public static func make(_ id: String) -> (any Plugin)? {
        table.first { $0.id == id }?.make?()
    }
}
