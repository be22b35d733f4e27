import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

/// Applies cloud-config `password`, `chpasswd` and `ssh_pwauth` as cloud-init's
/// `set_passwords` does, through the shared `PasswordSetter` (hash on standard input, never
/// in argv; the set proven by reading /etc/shadow back) and `SSHDPasswordAuthentication`.
///
/// The one difference, on purpose: the admin user's password is left alone when the
/// `password` plugin publishes one for it (the plugin is configured and the instance has
/// an ssh-rsa key to encrypt it with). A published password must be the one in
/// /etc/shadow: `nova get-password` must never return a password that no longer works.
/// Such an entry fails, naming the plugin; leave `password` out of `plugins` to let user
/// data own the admin password.
struct CloudConfigPasswords: Sendable {
    let context: PluginContext
    let setter = PasswordSetter()

    /// Length of a `RANDOM` password: cloud-init's (20), from the agent's generator
    /// (unambiguous characters).
    static let randomLength = 20

    /// Sets every entry; one failing does not stop the others (each is named in the error).
    /// Random passwords go to the console only (`user:password`, under cloud-init's heading),
    /// never to the log, the state or `status`.
    func apply(_ changes: CloudConfig.PasswordChanges) async throws {
        var failures: [String] = []
        var randoms: [String] = []
        var changed: [String] = []
        for (index, entry) in changes.entries.enumerated() {
            let label = entry.user.map { TextPreview.line($0) } ?? "the default user"
            do {
                let user = try resolve(entry.user)
                if let random = try await set(entry.value, for: user) { randoms.append("\(user):\(random)") }
                changed.append(user)
            } catch {
                failures.append("passwords[\(index)] (\(label)): \(error)")
            }
        }
        if !randoms.isEmpty {
            context.console("Set the following 'random' passwords")
            for line in randoms { context.console(line) }
        }
        if changes.expire {
            for user in changed {
                do { try await setter.expire(user, context: context) } catch {
                    failures.append("chpasswd.expire (\(user)): \(error)")
                }
            }
        }
        if !changed.isEmpty {
            context.logger.info(
                "passwords set from cloud-config",
                metadata: ["users": "\(changed.joined(separator: ", "))", "expired": "\(changes.expire)"])
        }
        guard failures.isEmpty else { throw CloudConfigCommandError(detail: failures.joined(separator: "; ")) }
    }

    /// The user an entry names (nil: the default user), which must exist, must not be a
    /// system account's name the agent refuses, and must not be the admin user whose
    /// password the `password` plugin publishes.
    func resolve(_ name: String?) throws -> String {
        let admin = try? AdminUser.name(for: context)
        guard let user = name ?? admin else {
            throw CloudConfigError.type("password", "set for a default user, and the admin user name is refused")
        }
        // root only as the default user the user data named (`user: root`, `AdminUser`).
        if !(name == nil && user == "root") { _ = try AdminUser.validate(user) }
        guard try PasswdDatabase.lookUp(user, root: context.root) != nil else {
            throw CloudConfigError.type("chpasswd", "set for an existing user; \(TextPreview.line(user)) is not one")
        }
        if user == admin, publishesAdminPassword {
            throw CloudConfigError.type(
                "password",
                "left to the password plugin for \(user): it publishes the admin password encrypted with the"
                    + " instance's ssh-rsa key, and that must stay the one in /etc/shadow (remove password from"
                    + " plugins to set it from user data)")
        }
        return user
    }

    /// Whether the `password` plugin owns the admin password on this instance.
    var publishesAdminPassword: Bool {
        context.config.run.plugins.contains("password") && PasswordPublicationCheck.keyOrConsoleProblem(context) == nil
    }

    /// Sets one password; returns a random one the agent made (for the console).
    func set(_ value: CloudConfig.PasswordValue, for user: String) async throws -> String? {
        switch value {
        case .hash(let hash):
            try await setter.setHash(hash, for: user, context: context)
            return nil
        case .text(let password):
            try await setter.setPassword(password, for: user, context: context)
            try setter.verify(password, for: user, root: context.root)
            return nil
        case .random:
            let password = try PasswordCryptoAdapter.generate(length: Self.randomLength)
            try await setter.setPassword(password, for: user, context: context)
            try setter.verify(password, for: user, root: context.root)
            return password
        }
    }
}
