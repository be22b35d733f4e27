import DataSources
import FoundationEssentials

/// The default user a cloud-config names with a top-level `user:` (Proxmox VE writes
/// `user: <ciuser>`): for this instance it takes the place of the configured `username`, so
/// the users, ssh_keys and password plugins and cloud-config's own `password`, `chpasswd` and
/// `users: [default]` all act on that one account (`AdminUser.name(for:)`), and no second
/// admin account is made.
///
/// Read once per run, before any plugin, because the users plugin runs before user data.
/// A user data that cannot be read, or a cloud-config part that is not valid, names no user
/// here: the userdata plugin reports that part itself. With several cloud-config parts the
/// last `user:` wins, as cloud-init's merge gives it.
enum CloudConfigDefaultUser {
    static func name(in metadata: InstanceMetadata) -> String? {
        guard let data = metadata.userData, let parts = try? UserDataParser().parse(data) else { return nil }
        var name: String?
        for part in parts where part.kind == .cloudConfig {
            if let user = (try? CloudConfig(part.content))?.defaultUserName { name = user }
        }
        return name
    }
}
