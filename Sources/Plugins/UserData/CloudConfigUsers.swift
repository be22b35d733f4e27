import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

/// cloud-config `users` and `ssh_authorized_keys`, through the shared account and key
/// operations (`AdminAccount`, `AccountTools`, `AuthorizedKeys`). Every name, group, shell, rule and key is checked before any command
/// runs: cloud-config is user data, and user data is untrusted input to root's tools.
struct CloudConfigUsers: Sendable {
    let context: PluginContext

    /// Creates the groups the root lacks, then `user` unless it exists (an existing user is
    /// added to the groups it is not in), then its sudo rule, password hash, lock and keys.
    /// `default` is the agent's admin user, made exactly as the users plugin makes it.
    func ensure(_ user: CloudConfig.User) async throws {
        if user.isDefault {
            try await AdminAccount.inspect(context).ensure(context)
            return
        }
        let name = try AdminUser.validate(user.name)
        let groupName = /^[a-z_][a-z0-9_-]{0,31}$/
        for group in user.groups where (try? groupName.wholeMatch(in: group)) == nil {
            throw CloudConfigError.type("groups", "group names (a-z, 0-9, '_', '-'), not '\(TextPreview.line(group))'")
        }
        if let shell = user.shell, SystemRoot.problem(with: shell) != nil {
            throw CloudConfigError.type("shell", "an absolute path")
        }
        if let gecos = user.gecos,
            gecos.contains(":") || gecos.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        {
            throw CloudConfigError.type("gecos", "text without ':' or control characters")
        }
        // Groups the root lacks are created first, as cloud-init does; useradd would refuse them.
        try await AccountTools.createMissingGroups(user.groups, context: context)
        if try PasswdDatabase.lookUp(name, root: context.root) == nil {
            try await AccountTools.createUser(
                name, groups: user.groups, shell: user.shell ?? "/bin/bash", comment: user.gecos,
                context: context)
            context.logger.info("created user from cloud-config", metadata: ["user": "\(name)"])
        } else {
            try await AccountTools.addToGroups(name, user.groups, context: context)
        }
        if !user.sudo.isEmpty {
            for rule in user.sudo
            where rule.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) || rule.isEmpty {
                throw CloudConfigError.type("sudo", "one-line sudoers rules")
            }
            // Why not create it: a /etc/sudoers without `@includedir /etc/sudoers.d` would
            // ignore the rule, and the user would learn it only when sudo refuses.
            guard FileManager.default.fileExists(atPath: try context.root.resolve("/etc/sudoers.d")) else {
                throw CloudConfigError.type("sudo", "used where the root has /etc/sudoers.d (is sudo installed?)")
            }
            let sudoersUser = try SudoersRule.user(name)
            let content = user.sudo.map { "\(sudoersUser) \($0)\n" }.joined()
            try await AccountTools.installSudoers(
                Data(content.utf8), at: SudoersRule.dropInName("/etc/sudoers.d/90-guest-agent-userdata-", for: name),
                context: context)
        }
        let rootArguments = AccountTools.rootArguments(context)
        if let hash = user.passwd {
            // A hash, never a password; still on standard input, never in argv.
            guard hash.hasPrefix("$"), !hash.contains(":"), !hash.unicodeScalars.contains(where: { $0.value < 0x21 })
            else {
                throw CloudConfigError.type("passwd", "a crypt(3) hash such as $6$...")
            }
            try await PasswordSetter().setHash(hash, for: name, context: context)
        } else if let password = user.plainTextPasswd {
            try await PasswordSetter().setPassword(password, for: name, context: context)
            try PasswordSetter().verify(password, for: name, root: context.root)
        }
        if user.lockPasswd {
            try await context.runner.check(["usermod"] + rootArguments + ["--lock", "--", name])
        }
        if !user.sshAuthorizedKeys.isEmpty { try installKeys(user.sshAuthorizedKeys, for: name) }
    }

    /// The keys in the user's authorized_keys, in the cloud-config block of their own.
    func installKeys(_ keys: [String], for name: String) throws {
        guard let entry = try PasswdDatabase.lookUp(name, root: context.root) else {
            throw SSHKeysError.noSuchUser(name, passwd: try context.root.resolve("/etc/passwd"))
        }
        for (index, key) in keys.enumerated() {
            if let problem = AuthorizedKeyFilter.problem(key.trimmingWhitespaceAndNewlines()) {
                throw CloudConfigError.type(
                    "ssh_authorized_keys[\(index)]", "a plain public key line, but it \(problem)")
            }
        }
        try HomeDirectory.ensure(for: entry, context: context)
        try AuthorizedKeys.install(
            keys.map { $0.trimmingWhitespaceAndNewlines() }, for: entry,
            block: AuthorizedKeysBlock.userDataBlock, context: context)
    }

    /// `user:group` (or `user`) to numeric ids, looked up in the root's own databases.
    func owner(_ spec: String) throws -> FileOwner {
        let pieces = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard let userName = pieces.first, let user = try PasswdDatabase.lookUp(userName, root: context.root) else {
            throw CloudConfigError.type("owner", "an existing user (and group), not '\(TextPreview.line(spec))'")
        }
        guard pieces.count == 2 else { return FileOwner(uid: user.uid, gid: user.gid) }
        let groups = try GroupDatabase(root: context.root)
        guard let gid = groups.gid(of: pieces[1]) else {
            throw CloudConfigError.type("owner", "an existing group, not '\(TextPreview.line(pieces[1]))'")
        }
        return FileOwner(uid: user.uid, gid: gid)
    }
}
