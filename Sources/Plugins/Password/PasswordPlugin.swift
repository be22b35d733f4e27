import DataSources
import FoundationEssentials
import PasswordCrypto

/// Sets the admin password so that nobody but the holder of the instance's SSH RSA key
/// can learn it: a random password, encrypted with the first ssh-rsa key in the metadata,
/// published to nova's password endpoint (or, on EC2, the console).
///
/// Lock-out safety - a password is published only when /etc/shadow provably holds it:
/// 1. Before anything changes, the ciphertext (never the password) is saved in the
///    instance state (`encrypted`).
/// 2. The password is set (chpasswd, on stdin), then proven: the shadow hash is read back
///    and crypt(3) of the clear text, which only this process has, must give that hash
///    (`PasswordSetter.verify`). Only then does the state say `set`, with a fingerprint of
///    the proven hash.
/// 3. The ciphertext is published; only then does the state say `published`.
/// A failed POST (or a crash) after 2 publishes the saved ciphertext on the next boot, with
/// no new password, while /etc/shadow still holds the proven hash; if someone changed the
/// password since, the old ciphertext is not published and their password is left alone.
/// A crash between 1 and 2 cannot be resolved: the next process no longer has the clear
/// text, and "the shadow entry changed" proves nothing (useradd, an operator or a tool may
/// have changed it), so it starts over with a new password and never publishes the old
/// ciphertext. With no ssh-rsa key, or nowhere to publish, no random password is set at
/// all. A config drive is read-only; the nova metadata service beside it is asked whether
/// it can take the password instead (`PasswordPublicationTarget.resolve`).
public struct PasswordPlugin: Plugin {
    public let id = "password"
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.network
    /// Whether nova already holds a password is read beside the documents.
    public var needs: MetadataNeeds { [.passwordState] }
    let setter: PasswordSetter

    public init(setter: PasswordSetter = PasswordSetter()) {
        self.setter = setter
    }

    /// Where to publish: the key and console checks first (they cost nothing), then the
    /// source's place, probing nova for a config drive.
    func target(_ context: PluginContext) async -> PasswordPublicationTarget {
        if let problem = PasswordPublicationCheck.keyOrConsoleProblem(context) { return .unavailable(problem) }
        return await PasswordPublicationTarget.resolve(context)
    }

    /// The admin password from metadata to set, or a random one to set and publish where
    /// the probe (run once, by `plan`) found the place.
    public struct Plan: PlannedChanges {
        enum Work {
            case injected(String)
            case publish(PasswordPublicationTarget)
        }
        let user: String
        let work: Work
        public let changes: [String]
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        let user = try AdminUser.name(for: context)
        if context.config.password.injectUserPassword, let injected = context.metadata.adminPassword {
            return .apply(
                Plan(
                    user: user, work: .injected(injected),
                    changes: ["set the password of \(user) to the admin_pass given in metadata"]))
        }
        let target = await target(context)
        switch target {
        case .unavailable(let problem):
            // A password an earlier boot set (and saved encrypted) is owed to its place even
            // when that place cannot be reached now: apply says so and the next boot tries
            // again. A skip would count as done and the password would never be published.
            let progress = try context.savedState(as: PasswordProgress.self) ?? PasswordProgress()
            if progress.phase == .set || progress.phase == .encrypted {
                return .apply(
                    Plan(
                        user: user, work: .publish(target),
                        changes: [
                            "publish the password of \(user) set at an earlier boot (not possible now: \(problem))"
                        ]
                    ))
            }
            // The platform's own password (OpenNebula, CloudStack) is another plugin's: the
            // log must not tell the user there is none.
            if let platform = context.metadata.platformPassword {
                return .skip(
                    "no random password for \(user) (\(problem)); the password from \(platform.origin) is set by the platform_password plugin"
                )
            }
            return .skip("password of \(user) left unchanged (SSH key login only): \(problem)")
        case .ready(.novaPasswordEndpoint(let url), _) where context.metadata.passwordPublication == .none:
            return .apply(
                Plan(
                    user: user, work: .publish(target),
                    changes: [
                        "set a random password for \(user) and publish it encrypted with the instance's ssh-rsa key to \(url)"
                    ]))
        case .ready:
            return .apply(
                Plan(
                    user: user, work: .publish(target),
                    changes: [
                        "set a random password for \(user) and publish it encrypted with the instance's ssh-rsa key"
                    ]))
        }
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        let user = plan.user
        let target: PasswordPublicationTarget
        switch plan.work {
        case .injected(let injected):
            try await setter.setPassword(injected, for: user, context: context)
            try setter.verify(injected, for: user, root: context.root)
            context.logger.info("admin password set from metadata admin_pass", metadata: ["user": "\(user)"])
            return .done
        case .publish(let planned): target = planned
        }
        var progress = try context.savedState(as: PasswordProgress.self) ?? PasswordProgress()
        guard case .ready(let publication, let current) = target else {
            // Planned only for a password an earlier boot set (see `plan`): still owed.
            let problem = if case .unavailable(let why) = target { why } else { "" }
            return .runAgainNextBoot("password set but not yet published: \(problem)")
        }
        guard let resolved = try resolveSaved(progress, user: user, context: context) else { return .done }
        progress = resolved
        if progress.phase == nil {
            guard
                let fresh = try await setNewPassword(
                    user: user, publication: publication, knownCurrent: current, context: context)
            else { return .done }
            progress = fresh
        }
        if progress.phase == .set, let ciphertext = progress.ciphertext {
            return try await publish(ciphertext, to: publication, progress: progress, context: context)
        }
        return .done
    }

    /// Generates, saves the ciphertext, sets. Nil when nova already holds a password for
    /// this instance (never churn a password someone may already have retrieved);
    /// `knownCurrent` is that value when the config-drive probe already read it.
    private func setNewPassword(
        user: String, publication: PasswordPublication, knownCurrent: String?, context: PluginContext
    ) async throws -> PasswordProgress? {
        if case .novaPasswordEndpoint(let url) = publication {
            let existing: String
            if let knownCurrent {
                existing = knownCurrent
            } else {
                existing = try await NovaPasswordEndpoint(url: url, http: context.http).current()
            }
            if !existing.isEmpty {
                context.logger.info(
                    "a password is already published for this instance; not generating another",
                    metadata: ["user": "\(user)"])
                return nil
            }
        }
        let key = try PasswordCryptoAdapter.selectKey(context.metadata.publicKeys).get()
        let password = try PasswordCryptoAdapter.generate(length: context.config.password.userPasswordLength)
        // Wakame-vdc's host decrypts with OAEP (SHA-1) only, whatever `password_encryption` says.
        let padding: PasswordPadding =
            if case .wakameDrive = publication { .oaepSHA1 } else { context.config.password.passwordEncryption }
        let ciphertext = try PasswordCryptoAdapter.encrypt(password, with: key, padding: padding)
        var progress = PasswordProgress(phase: .encrypted, ciphertext: ciphertext)
        try context.saveState(progress)
        try await setter.setPassword(password, for: user, context: context)
        // Not proven: the state stays `encrypted`, and the next run starts over.
        let hash = try setter.verify(password, for: user, root: context.root)
        progress.phase = .set
        progress.shadowVerified = PasswordCryptoAdapter.fingerprint(hash)
        try context.saveState(progress)
        context.logger.info("random admin password set", metadata: ["user": "\(user)"])
        return progress
    }

    /// What the state an earlier process saved means now; nil when there is nothing left to
    /// do. `encrypted` (a crash between saving the ciphertext and proving the set) and a `set`
    /// without a proven hash (saved by a version that did not prove it) start over: nothing
    /// shows that /etc/shadow holds the saved ciphertext's password, and this process does
    /// not have the clear text to check. A `set` whose proven hash /etc/shadow no longer
    /// holds means someone changed the password since: its ciphertext would no longer open
    /// the account, and a new password would override theirs, so neither happens.
    private func resolveSaved(_ saved: PasswordProgress, user: String, context: PluginContext) throws
        -> PasswordProgress?
    {
        switch saved.phase {
        case .encrypted?,
            .set? where saved.shadowVerified == nil:
            context.logger.notice(
                """
                an interrupted run may or may not have set a password; nothing proves /etc/shadow holds it, \
                so a new one is set and the saved ciphertext is never published
                """,
                metadata: ["user": "\(user)"])
            try context.clearState()
            return PasswordProgress()
        case .set?:
            if try shadowFingerprint(user: user, context: context) == saved.shadowVerified { return saved }
            let shadow = try context.root.resolve("/etc/shadow")
            context.logger.warning(
                """
                the password was changed since the agent set it; the saved ciphertext no longer opens the account \
                and is not published, and the password is left as it is
                """,
                metadata: ["user": "\(user)", "path": "\(shadow)"])
            try context.clearState()
            return nil
        case .published?, nil:
            return saved
        }
    }

    private func publish(
        _ ciphertext: String, to publication: PasswordPublication, progress: PasswordProgress,
        context: PluginContext
    ) async throws -> PluginOutcome {
        switch publication {
        case .novaPasswordEndpoint(let url):
            let endpoint = NovaPasswordEndpoint(url: url, http: context.http)
            do {
                if try await endpoint.post(ciphertext) == .alreadySet {
                    let stored = try await endpoint.current()
                    if stored == ciphertext {
                        context.logger.info("password was already published (an earlier POST went through)")
                    } else {
                        context.logger.warning(
                            "the password endpoint already held another value (409); ours was not stored",
                            metadata: ["url": "\(url)"])
                    }
                }
            } catch {
                context.logger.warning(
                    "publishing the password failed; will retry the same ciphertext next boot",
                    metadata: ["url": "\(url)", "error": "\(error)"])
                return .runAgainNextBoot("password set but not yet published: \(error)")
            }
        case .ec2Console:
            // EC2Launch's convention, which `aws ec2 get-password-data` reads from the console
            // (docs/PROTOCOLS.md §3.6).
            context.console("<Password>\n\(ciphertext)\n</Password>")
        case .wakameDrive(let device):
            do {
                try WakamePasswordDrive(device: device).publish(base64: ciphertext, root: context.root)
                context.logger.info(
                    "password written encrypted to the metadata drive; the host reads it once the instance powers off",
                    metadata: ["path": "\(device)/meta-data/pw.enc"])
            } catch {
                context.logger.warning(
                    "writing the password to the metadata drive failed; will retry the same ciphertext next boot",
                    metadata: ["path": "\(device)", "error": "\(error)"])
                return .runAgainNextBoot("password set but not yet written to \(device): \(error)")
            }
        case .none:
            return .done
        }
        var published = progress
        published.phase = .published
        try context.saveState(published)
        return .done
    }

    private func shadowFingerprint(user: String, context: PluginContext) throws -> String {
        PasswordCryptoAdapter.fingerprint(try setter.passwordHash(for: user, root: context.root) ?? "")
    }
}
