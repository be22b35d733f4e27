import AgentBase
import DataSources
import FoundationEssentials

/// Sets the password the platform hands out for the admin user through its own channel
/// (`InstanceMetadata.platformPassword`: OpenNebula's `PASSWORD`/`CRYPTED_PASSWORD`,
/// CloudStack's and Exoscale's password server), with the shared `PasswordSetter` the password
/// plugin and cloud-config use: hashed by the agent, on chpasswd's standard input, never in
/// argv, state or logs. It is never published (the platform already knows it).
///
/// Every boot, because the platform offers it at every boot: the context CD is rebuilt with
/// the current template, and CloudStack's server keeps handing a reset password out until it
/// is acknowledged. A boot where /etc/shadow already holds it changes nothing.
///
/// Acknowledgement (CloudStack): only after `PasswordSetter.verify` proved /etc/shadow holds
/// the password. A set that fails sends nothing, so the server hands the password out again
/// next boot; an acknowledgement that fails after a proven set is reported, and the next boot
/// finds the password already set and acknowledges only.
///
/// Never a lock-out: a password that cannot be set (no such user, a `:` in it, a hash that is
/// not one crypt(3) hash) fails this plugin with the reason; the account is left as it was and
/// the keys still apply (ssh_keys does not depend on it).
public struct PlatformPasswordPlugin: Plugin {
    public let id = "platform_password"
    public let frequency = PluginFrequency.everyBoot
    public let stage = PluginStage.network
    public var needs: MetadataNeeds { [.platformPassword] }
    let setter: PasswordSetter

    public init(setter: PasswordSetter = PasswordSetter()) {
        self.setter = setter
    }

    public struct Plan: PlannedChanges {
        let user: String
        let password: PlatformPassword
        /// False when /etc/shadow already holds it (only the acknowledgement is owed).
        let mustSet: Bool
        public let changes: [String]
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        if let problem = context.metadata.platformPasswordProblem {
            throw PlatformPasswordError.channelUnreadable(problem)
        }
        guard let password = context.metadata.platformPassword else {
            return .skip("the platform offers no new password")
        }
        let user = try AdminUser.name(for: context)
        let held = try shadowHolds(password.secret, user: user, root: context.root)
        var changes: [String] = []
        if !held { changes.append("set the password of \(user) to the one from \(password.origin)") }
        if case .cloudStackPasswordServer(let url) = password.acknowledgement {
            changes.append("acknowledge it to the password server at \(url) (saved_password)")
        }
        guard !changes.isEmpty else {
            return .skip("/etc/shadow already holds the password from \(password.origin) for \(user)")
        }
        return .apply(Plan(user: user, password: password, mustSet: !held, changes: changes))
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        let user = plan.user
        if plan.mustSet {
            switch plan.password.secret {
            case .clearText(let clear):
                try await setter.setPassword(clear, for: user, context: context)
                try setter.verify(clear, for: user, root: context.root)
            case .cryptHash(let hash):
                // setHash proves the shadow entry is that hash before it returns.
                try await setter.setHash(hash, for: user, context: context)
            }
            context.logger.info(
                "admin password set from the platform",
                metadata: ["user": "\(user)", "origin": "\(plan.password.origin)"])
        }
        guard case .cloudStackPasswordServer(let url) = plan.password.acknowledgement else { return .done }
        do {
            try await CloudStackPasswordServer(url: url, http: context.http).acknowledge()
        } catch {
            return .runAgainNextBoot(
                "the password of \(user) is set, but the password server at \(url) did not take the acknowledgement (\(error)); it will offer the password again next boot"
            )
        }
        context.logger.info("password acknowledged to the password server", metadata: ["url": "\(url)"])
        return .done
    }

    /// Whether the target's /etc/shadow already holds this password for `user` (crypt(3) of
    /// the clear text with the entry's own salt, or the very hash). A missing user holds nothing.
    func shadowHolds(_ secret: PlatformPassword.Secret, user: String, root: SystemRoot) throws -> Bool {
        guard let current = try setter.passwordHash(for: user, root: root) else { return false }
        switch secret {
        case .clearText(let clear): return ShadowCrypt.verify(clear, against: current)
        // Only a real hash counts: a given `!` or `*` must fail as one, never pass as "held".
        case .cryptHash(let hash): return hash.hasPrefix("$") && current == hash
        }
    }
}

public enum PlatformPasswordError: Error, CustomStringConvertible, Equatable {
    /// The platform's password channel could not be read; nothing was changed.
    case channelUnreadable(String)

    public var description: String {
        switch self {
        case .channelUnreadable(let why): "the platform's password could not be read, nothing was changed: \(why)"
        }
    }
}
