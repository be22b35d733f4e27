import DataSources
import FoundationEssentials

/// Reads, before any plugin runs, what the user data's cloud-config says about the plugins
/// that run before the userdata plugin (`UserDataOverrides`): a top-level `user:` (Proxmox VE
/// writes `user: <ciuser>`: for this instance it takes the place of the configured
/// `username`, so the users, ssh_keys and password plugins and cloud-config's own `password`,
/// `chpasswd` and `users: [default]` all act on that one account, and no second admin account
/// is made), `ssh_genkeytypes` and `ssh_deletekeys` (for the host_keys plugin), `disable_root`
/// (for the ssh_keys plugin).
///
/// A user data that cannot be read, or a cloud-config part that is not valid, says nothing
/// here: the userdata plugin reports that part itself. With several cloud-config parts the
/// last value of each key wins, as cloud-init's merge gives it.
enum CloudConfigOverrides {
    static func read(_ metadata: InstanceMetadata) -> UserDataOverrides {
        var overrides = UserDataOverrides()
        guard let data = metadata.userData, let parts = try? UserDataParser().parse(data) else { return overrides }
        for part in parts where part.kind == .cloudConfig {
            guard let config = try? CloudConfig(part.content) else { continue }
            overrides.defaultUserName = config.defaultUserName ?? overrides.defaultUserName
            overrides.hostKeyTypes = config.sshGenKeyTypes ?? overrides.hostKeyTypes
            overrides.deleteImageHostKeys = config.sshDeleteKeys ?? overrides.deleteImageHostKeys
            overrides.disableRoot = config.disableRoot ?? overrides.disableRoot
        }
        return overrides
    }
}
