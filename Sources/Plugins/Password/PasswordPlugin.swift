import DataSources
import FoundationEssentials

/// Sets the admin password so that nobody but the holder of the instance's SSH RSA key
/// can learn it: a random password, encrypted with the first ssh-rsa key in the metadata,
/// published to nova's password endpoint (or, on EC2, the console).
///
/// Lock-out safety - a password that was set is always eventually retrievable, or was
/// not set at all:
/// 1. Before anything changes, the ciphertext (never the password) and a fingerprint of
///    the user's current shadow entry are saved in the instance state.
/// 2. The password is set (chpasswd, on stdin), then the state says `set`.
/// 3. The ciphertext is published; only then does the state say `published`.
/// A crash or failed POST after 2 publishes the saved ciphertext on the next boot, with
/// no new password. A crash between 1 and 2 is resolved by the fingerprint: changed
/// means the password was set (publish it); unchanged means it was not (start over).
/// With no ssh-rsa key, or nowhere to publish, no random password is set at all. A config
/// drive is read-only; the nova metadata service beside it is asked whether it can take the
/// password instead (`PasswordPublicationTarget.resolve`).
public struct PasswordPlugin: Plugin {
    public let id = "password"
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.network
    let setter: PasswordSetter
    private let handoff = PasswordTargetHandoff()

    public init(setter: PasswordSetter = PasswordSetter()) {
        self.setter = setter
    }

    /// Why a random password cannot be published whatever the target (no ssh-rsa key, the
    /// EC2 console turned off), or nil.
    func keyOrConsoleProblem(_ context: PluginContext) -> String? {
        if case .ec2Console = context.metadata.passwordPublication, !context.config.ec2PasswordToConsole {
            return "ec2_password_to_console is off, so a password could not be published"
        }
        switch PasswordCryptoAdapter.selectKey(context.metadata.publicKeys) {
        case .success: return nil
        case .failure(let why): return why.description
        }
    }

    /// Where to publish: the key and console checks first (they cost nothing), then the
    /// source's place, probing nova for a config drive.
    func target(_ context: PluginContext) async -> PasswordPublicationTarget {
        if let problem = keyOrConsoleProblem(context) { return .unavailable(problem) }
        return await PasswordPublicationTarget.resolve(context)
    }

    public func plan(_ context: PluginContext) async throws -> PluginPlan {
        let user = try AdminUser.name(for: context)
        if context.config.injectUserPassword, context.metadata.adminPassword != nil {
            return .apply(["set the password of \(user) to the admin_pass given in metadata"])
        }
        let target = await target(context)
        handoff.put(target)
        switch target {
        case .unavailable(let problem):
            return .skip("password of \(user) left unchanged (SSH key login only): \(problem)")
        case .ready(.novaPasswordEndpoint(let url), _) where context.metadata.passwordPublication == .none:
            return .apply([
                "set a random password for \(user) and publish it encrypted with the instance's ssh-rsa key to \(url)"
            ])
        case .ready:
            return .apply([
                "set a random password for \(user) and publish it encrypted with the instance's ssh-rsa key"
            ])
        }
    }

    public func apply(_ context: PluginContext) async throws -> PluginOutcome {
        let user = try AdminUser.name(for: context)
        if context.config.injectUserPassword, let injected = context.metadata.adminPassword {
            try await setter.setPassword(injected, for: user, context: context)
            context.logger.info("admin password set from metadata admin_pass", metadata: ["user": "\(user)"])
            return .done
        }
        var progress = try context.savedState(as: PasswordProgress.self) ?? PasswordProgress()
        let target: PasswordPublicationTarget
        if let handed = handoff.take() { target = handed } else { target = await self.target(context) }
        guard case .ready(let publication, let current) = target else {
            let problem = if case .unavailable(let why) = target { why } else { "" }
            // A password an earlier boot set (config drive + nova then) must still be published.
            if progress.phase == .set || progress.phase == .encrypted {
                return .runAgainNextBoot("password set but not yet published: \(problem)")
            }
            context.logger.warning(
                "cannot publish a password; leaving it unchanged",
                metadata: ["user": "\(user)", "reason": "\(problem)"])
            return .done
        }
        if progress.phase == .encrypted {
            progress = try resolveCrashWindow(progress, user: user, context: context)
        }
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
        let password = try PasswordCryptoAdapter.generate(length: context.config.userPasswordLength)
        let ciphertext = try PasswordCryptoAdapter.encrypt(
            password, with: key, padding: context.config.passwordEncryption)
        var progress = PasswordProgress(
            phase: .encrypted, ciphertext: ciphertext,
            shadowBefore: try shadowFingerprint(user: user, context: context))
        try context.saveState(progress)
        try await setter.setPassword(password, for: user, context: context)
        progress.phase = .set
        progress.shadowBefore = nil
        try context.saveState(progress)
        context.logger.info("random admin password set", metadata: ["user": "\(user)"])
        return progress
    }

    /// After a crash between saving the ciphertext and confirming the set.
    private func resolveCrashWindow(_ saved: PasswordProgress, user: String, context: PluginContext) throws
        -> PasswordProgress
    {
        let now = try shadowFingerprint(user: user, context: context)
        if now != saved.shadowBefore {
            context.logger.notice(
                "password was set before an interruption; publishing the saved ciphertext",
                metadata: ["user": "\(user)"])
            let progress = PasswordProgress(phase: .set, ciphertext: saved.ciphertext)
            try context.saveState(progress)
            return progress
        }
        context.logger.notice(
            "an interrupted run had not set the password; starting over", metadata: ["user": "\(user)"])
        try context.clearState()
        return PasswordProgress()
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
