import AgentBase
import DataSources
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Applies a cloud-config part through the operations the plugins share (Operations/): host
/// name (`HostnameOperations.set`), users (`AccountTools.createUser`, `installSudoers`, the
/// admin account itself for `default`: `AdminAccount`), keys (`AuthorizedKeys.install`),
/// files (`FileWriting.write` after `InjectedFilePolicy`). Commands run like scripts
/// (`ScriptRunner`: argv, inside the root, under the timeout).
///
/// Order, as cloud-init's modules run: bootcmd, write_files, mounts, hostname, ca_certs,
/// timezone, users, ssh_authorized_keys, passwords (`password`, `chpasswd`), ssh_pwauth,
/// locale, ntp, power_state (handed to the end of the run), packages (`CloudConfigPackages`:
/// refresh, upgrade, install with the image's manager), deferred write_files; `runcmd` runs
/// after the scripts (`runcmd(_:)`); `final_message` is handed back to the
/// plugin, which prints it when every part has run. One key failing does
/// not stop the others; the part fails at the end naming each.
struct CloudConfigApplier: Sendable {
    let context: PluginContext

    func apply(_ part: UserDataPart, firstTime: Bool) async -> PartResult {
        let config: CloudConfig
        do {
            config = try part.cloudConfig()
        } catch {
            return PartResult(status: .failed, detail: "\(error)", ran: false)
        }
        var failures: [String] = []
        func attempt(_ key: String, _ body: () async throws -> Void) async {
            do { try await body() } catch { failures.append("\(key): \(error)") }
        }
        // Every boot: bootcmd. The rest only the first time this part is seen.
        for (index, command) in config.bootcmd.enumerated() {
            await attempt("bootcmd[\(index)]") { try await run(command, name: "part-\(part.index)-bootcmd-\(index)") }
        }
        guard firstTime else { return Self.result(failures) }
        for warning in config.warnings {
            context.logger.warning(
                "cloud-config accepted with a warning", metadata: ["part": "\(part.name)", "where": "\(warning)"])
        }
        if !config.unknownKeys.isEmpty {
            context.logger.warning(
                "cloud-config keys not supported, ignored",
                metadata: ["part": "\(part.name)", "keys": "\(config.unknownKeys.joined(separator: ", "))"])
        }
        for (index, file) in config.writeFiles.enumerated() where !file.deferred {
            await attempt("write_files[\(index)] \(TextPreview.line(file.path))") { try write(file) }
        }
        failures += await applySystem([.mounts], of: config.system)
        if !config.preserveHostname, let name = config.fqdn ?? config.hostname {
            await attempt("hostname") {
                try HostnameOperations.set(
                    try HostnameValidator.validate(name, netbios: context.config.hostname.netbiosHostNameCompatibility),
                    context: context, manageEtcHosts: config.manageEtcHosts)
            }
        } else if config.manageEtcHosts == true {
            // No host name here: the instance's (the hostname plugin's) gets the line.
            await attempt("manage_etc_hosts") {
                guard let name = try HostnameOperations.metadataName(context) else {
                    throw CloudConfigError.type("manage_etc_hosts", "used with a host name (none in metadata or here)")
                }
                try HostnameOperations.writeHostsLine(name, context: context)
            }
        }
        failures += await applySystem([.caCerts], of: config.system)
        if let zone = config.timezone { await attempt("timezone") { try TimezoneSetter(context: context).set(zone) } }
        for (index, user) in config.users.enumerated() {
            await attempt("users[\(index)] \(TextPreview.line(user.name))") {
                try await CloudConfigUsers(context: context).ensure(user)
            }
        }
        if !config.sshAuthorizedKeys.isEmpty {
            await attempt("ssh_authorized_keys") {
                try CloudConfigUsers(context: context).installKeys(
                    config.sshAuthorizedKeys, for: try AdminUser.name(for: context))
            }
        }
        if !config.passwords.entries.isEmpty {
            await attempt("passwords") { try await CloudConfigPasswords(context: context).apply(config.passwords) }
        }
        if let enabled = config.sshPasswordAuthentication {
            await attempt("ssh_pwauth") { try await SSHDPasswordAuthentication(context: context).set(enabled) }
        }
        failures += await applySystem([.locale, .ntp, .powerState], of: config.system)
        // cloud-init's final stage: package_update_upgrade_install, then the deferred files
        // (which may go where a package made a directory or a user), then the scripts.
        failures += await CloudConfigPackages(context: context).apply(config.packageRequest, partIndex: part.index)
        for (index, file) in config.writeFiles.enumerated() where file.deferred {
            await attempt("write_files[\(index)] \(TextPreview.line(file.path))") { try write(file) }
        }
        // runcmd is a part of its own, run after the scripts (`UserDataPlugin.ordered`).
        // Printed by the plugin when every part has run (`FinalMessage`).
        var result = Self.result(failures)
        result.finalMessage = config.finalMessage
        return result
    }

    /// A cloud-config part's `runcmd`, each command in order; one failing does not stop the
    /// others, and the part fails naming each.
    func runcmd(_ part: UserDataPart) async -> PartResult {
        let config: CloudConfig
        do {
            config = try part.cloudConfig()
        } catch {
            return PartResult(status: .failed, detail: "\(error)", ran: false)
        }
        var failures: [String] = []
        for (index, command) in config.runcmd.enumerated() {
            do {
                try await run(command, name: "part-\(part.index)-\(index)")
            } catch {
                failures.append("runcmd[\(index)]: \(error)")
            }
        }
        return Self.result(failures)
    }

    static func result(_ failures: [String]) -> PartResult {
        failures.isEmpty
            ? PartResult(status: .done, ran: true)
            : PartResult(status: .failed, detail: failures.joined(separator: "; "), ran: true)
    }

    /// Runs one runcmd/bootcmd entry; a non-zero exit or a timeout is an error.
    func run(_ command: CloudConfig.Command, name: String) async throws {
        let run = try await ScriptRunner(context: context, timeout: context.config.userData.userdataScriptTimeout)
            .runCommand(command.argv, fileName: name)
        if run.timedOut {
            throw CloudConfigCommandError(detail: "killed after \(context.config.userData.userdataScriptTimeout) s")
        }
        guard run.exitCode == 0 else {
            throw CloudConfigCommandError(
                detail: "exited with status \(run.exitCode)"
                    + (run.tail.isEmpty ? "" : "; last output: " + run.tail.joined(separator: " | ")))
        }
    }

    /// One `write_files` entry: the injected files' path policy, then the shared writer.
    func write(_ file: CloudConfig.File) throws {
        if let problem = InjectedFilePolicy.validateGuestPath(file.path) {
            throw UnsafePathError(path: file.path, problem: problem)
        }
        if let problem = file.contentProblem { throw problem }
        let owner = try CloudConfigUsers(context: context).owner(file.owner)
        var contents = file.content
        if file.append, let existing = try context.writer.read(file.path) { contents = existing + contents }
        try FileWriting.write(contents, to: file.path, mode: file.permissions, owner: owner, context: context)
        context.logger.info(
            "wrote file from cloud-config", metadata: ["path": "\(file.path)", "bytes": "\(contents.count)"])
    }
}

struct CloudConfigCommandError: Error, CustomStringConvertible {
    var detail: String
    var description: String { detail }
}
