/// The one table of plugin id -> factory.
public enum PluginRegistry {
    /// Every id the configuration accepts, each backed by a real plugin.
    public static let knownIDs = ["hostname", "users", "password", "ssh_keys", "files"]
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
