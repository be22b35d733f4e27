/// The one table of plugin id -> factory.
public enum PluginRegistry {
    /// Every id the configuration accepts, each backed by a real plugin.
    public static let knownIDs = ["hostname", "users", "password", "ssh_keys", "files"]
    /// Ids the documented contract reserves for plugins not built yet; configuring one is
    /// still an error (exit 64), with a message that says so.
    public static let plannedIDs = ["network", "userdata", "resize", "host_keys"]
    /// What runs when `plugins` is not set.
    public static let defaultPluginIDs = ["hostname", "users", "password", "ssh_keys", "files"]

    public static func make(_ id: String) -> (any Plugin)? {
        switch id {
        case "hostname": HostnamePlugin()
        case "users": UsersPlugin()
        case "password": PasswordPlugin()
        case "ssh_keys": SSHKeysPlugin()
        case "files": InjectedFilesPlugin()
        default: nil
        }
    }
}
