/// What the user data's cloud-config says about work that runs before the userdata plugin
/// (the users, ssh_keys, password and host_keys plugins), read once per run before any plugin
/// (`CloudConfigOverrides`). Empty when the user data says nothing of it or cannot be read.
public struct UserDataOverrides: Sendable, Equatable {
    /// `user:`: the default user, in place of the configured `username` (`AdminUser`).
    public var defaultUserName: String?
    /// `ssh_genkeytypes`: the host key types to make, in place of `ssh_host_key_types`.
    public var hostKeyTypes: [SSHHostKeyType]?
    /// `ssh_deletekeys`: false keeps the image's host keys (only missing types are made).
    public var deleteImageHostKeys: Bool?
    /// `disable_root`: false installs the keys for root too; true installs them for root with
    /// a command that names the user to log in as (cloud-init's way); nil: `ssh_keys_for_root`.
    public var disableRoot: Bool?

    public init(
        defaultUserName: String? = nil, hostKeyTypes: [SSHHostKeyType]? = nil, deleteImageHostKeys: Bool? = nil,
        disableRoot: Bool? = nil
    ) {
        self.defaultUserName = defaultUserName
        self.hostKeyTypes = hostKeyTypes
        self.deleteImageHostKeys = deleteImageHostKeys
        self.disableRoot = disableRoot
    }
}
