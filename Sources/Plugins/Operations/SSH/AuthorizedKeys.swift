import FoundationEssentials
import HostEffects

/// Installing SSH keys for a user: the ssh_keys plugin's and cloud-config's one way.
enum AuthorizedKeys {
    /// Installs `keys` as the content of `block` in the user's ~/.ssh/authorized_keys (0700
    /// directory, 0600 file, owned by the user, written atomically): the one implementation,
    /// used by the ssh_keys plugin and by cloud-config with a block of its own, so neither
    /// replaces the other's keys.
    static func install(
        _ keys: [String], for user: PasswdEntry, block: ManagedBlock = AuthorizedKeysBlock.block,
        context: PluginContext
    ) throws {
        let owner = FileOwner(uid: user.uid, gid: user.gid)
        let sshDirectory = (user.home.hasSuffix("/") ? String(user.home.dropLast()) : user.home) + "/.ssh"
        try context.writer.makeDirectory(sshDirectory, mode: 0o700, owner: owner)
        let file = sshDirectory + "/authorized_keys"
        let existing = try context.writer.read(file)
        let edit = block.replacing(in: existing ?? Data(), with: keys)
        for warning in edit.warnings {
            context.logger.warning("\(file): \(warning)", metadata: ["user": "\(user.name)"])
        }
        guard edit.data != existing else { return }
        try context.writer.write(edit.data, to: file, mode: 0o600, owner: owner)
        context.logger.info(
            "installed SSH keys", metadata: ["user": "\(user.name)", "path": "\(file)", "count": "\(keys.count)"])
    }
}

public enum SSHKeysError: Error, CustomStringConvertible {
    case noSuchUser(String, passwd: String)
    public var description: String {
        switch self {
        case .noSuchUser(let name, let passwd):
            "user '\(name)' does not exist in \(passwd) (enable the users plugin or set 'username')"
        }
    }
}
