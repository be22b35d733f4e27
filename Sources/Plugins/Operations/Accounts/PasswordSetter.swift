import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

/// Sets and inspects user passwords in the target root.
public struct PasswordSetter: Sendable {
    public init() {}

    /// Hashes the password (SHA-512 crypt) and runs `chpasswd -e [--root ROOT]` with
    /// `user:hash` on standard input - never in argv, where any local user could read it
    /// from /proc. Errors never contain the password.
    public func setPassword(_ password: String, for user: String, context: PluginContext) async throws {
        guard !password.isEmpty else { throw UserError.unsafePassword("the password is empty") }
        guard !password.contains(":"), !password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw UserError.unsafePassword("it contains ':' or control characters, which chpasswd input cannot carry")
        }
        let argv = Self.chpasswdEncrypted(context)
        let hash = try ShadowCrypt.hash(password)
        let result = try await context.runner.run(argv, standardInput: Data("\(user):\(hash)\n".utf8))
        if let failure = result.failure {
            // chpasswd does not echo the password, but be certain it never reaches a log.
            let stderr = result.standardError.replacing(password, with: "<redacted>")
            throw HostError.commandFailed(
                argv: argv, status: failure,
                stderr: String(stderr.prefix(500)).trimmingWhitespaceAndNewlines())
        }
    }

    /// Sets a crypt(3) hash the caller was given (cloud-config `passwd`, `chpasswd` hashes) with
    /// `chpasswd --encrypted`, on standard input. Refuses anything that is not one hash on
    /// one line: a `:` or a control character would end the entry and start another.
    public func setHash(_ hash: String, for user: String, context: PluginContext) async throws {
        guard hash.hasPrefix("$"), !hash.contains(":"), !hash.unicodeScalars.contains(where: { $0.value < 0x21 })
        else {
            throw UserError.unsafePassword("the hash for \(user) is not one crypt(3) hash such as $6$...")
        }
        try await context.runner.check(Self.chpasswdEncrypted(context), standardInput: Data("\(user):\(hash)\n".utf8))
        guard try passwordHash(for: user, root: context.root) == hash else {
            throw UserError.passwordNotSet(
                user: user, shadow: try context.root.resolve("/etc/shadow"), why: "its hash for \(user) is another")
        }
    }

    /// Makes `user` choose a new password at the next login (`passwd --expire`, as
    /// cloud-init's `chpasswd: {expire: true}` does): /etc/shadow's last-change day becomes 0.
    public func expire(_ user: String, context: PluginContext) async throws {
        try await context.runner.check(["passwd"] + AccountTools.rootArguments(context) + ["--expire", "--", user])
    }

    /// chpasswd reading `user:hash` lines (hashes only, never clear text) for the target.
    static func chpasswdEncrypted(_ context: PluginContext) -> [String] {
        ["chpasswd", "--encrypted"] + AccountTools.rootArguments(context)
    }

    /// Proves that the target's /etc/shadow holds `password` for `user`, after a set: the
    /// shadow hash is read back and crypt(3) of the clear text with that hash's own settings
    /// (algorithm, cost, salt) must give the same hash. Returns the hash; throws
    /// `UserError.passwordNotSet` naming the user and the file otherwise (no entry, a locked
    /// or empty field, another hash). Why not trust chpasswd's exit status: a wrapper or a
    /// tool that stored something else exits 0 too, and a password is published, or called
    /// set, only when the file provably holds it. Errors never contain the password or hash.
    @discardableResult
    public func verify(_ password: String, for user: String, root: SystemRoot) throws -> String {
        let shadow = try root.resolve("/etc/shadow")
        guard let hash = try passwordHash(for: user, root: root) else {
            throw UserError.passwordNotSet(user: user, shadow: shadow, why: "it has no entry for \(user)")
        }
        guard ShadowCrypt.verify(password, against: hash) else {
            throw UserError.passwordNotSet(
                user: user, shadow: shadow,
                why: hash.hasPrefix("$")
                    ? "its hash for \(user) is not the password's" : "it holds no password hash for \(user)")
        }
        return hash
    }

    /// The password hash field of `user` in the target's /etc/shadow, nil when absent.
    public func passwordHash(for user: String, root: SystemRoot) throws -> String? {
        try AccountFile.records("/etc/shadow", root: root, minimumFields: 2).first { $0[0] == user }.map {
            String($0[1])
        }
    }
}
