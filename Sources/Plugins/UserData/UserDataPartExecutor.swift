import FoundationEssentials

/// What running one part gave, as the saved state records it.
struct PartResult: Sendable, Equatable {
    var status: UserDataPartStatus
    var exitCode: Int32?
    var detail: String?
    /// False when it failed before anything ran (no interpreter, not root).
    var ran: Bool
    /// Exit 1001 or 1003: the boot stops here and the machine reboots.
    var rebootNow = false
    /// A cloud-config's `final_message`, printed by the plugin at the end of the run.
    var finalMessage: String?
}

/// Runs one part of a kind that runs: a script, a boothook or a cloud-config.
struct UserDataPartExecutor: Sendable {
    let context: PluginContext

    func execute(_ part: UserDataPart, firstTime: Bool) async -> PartResult {
        switch part.kind {
        case .script:
            return await script(part, content: part.content, fallback: nil, contract: true)
        case .boothook:
            // `#cloud-boothook` is a marker line, not an interpreter: it is dropped, and a
            // body without its own #! runs with /bin/sh, as cloud-init's boothooks do.
            var body = part.content
            if UserDataDetector.firstLine(body).lowercased().hasPrefix("#cloud-boothook") {
                body = Data(body.drop { $0 != 0x0A }.dropFirst())
            }
            return await script(part, content: body, fallback: Shebang(interpreter: "/bin/sh"), contract: false)
        case .cloudConfig:
            return await CloudConfigApplier(context: context).apply(part, firstTime: firstTime)
        case .runcmd:
            return await CloudConfigApplier(context: context).runcmd(part)
        default:
            return PartResult(status: .failed, detail: "\(part.kind.label) parts do not run", ran: false)
        }
    }

    /// Runs a script part and reads its exit code (cloudbase-init's contract when `contract`).
    func script(_ part: UserDataPart, content: Data, fallback: Shebang?, contract: Bool) async -> PartResult {
        let run: ScriptRun
        do {
            run = try await ScriptRunner(context: context, timeout: context.config.userData.userdataScriptTimeout).run(
                content, fileName: "part-\(part.index)", fallback: fallback)
        } catch {
            return PartResult(status: .failed, detail: "\(error)", ran: false)
        }
        return Self.result(
            of: run, name: part.name, timeout: context.config.userData.userdataScriptTimeout, contract: contract,
            logger: context
        )
    }

    static func result(of run: ScriptRun, name: String, timeout: Double, contract: Bool, logger context: PluginContext)
        -> PartResult
    {
        let tail = run.tail.isEmpty ? "" : "; last output: " + run.tail.joined(separator: " | ")
        let code = contract ? ScriptExitCode.normalized(run.exitCode) : run.exitCode
        context.logger.info(
            "user data part ran",
            metadata: [
                "part": "\(name)", "exit": "\(code == run.exitCode ? "\(code)" : "\(code) (\(run.exitCode))")",
                "timed_out": "\(run.timedOut)", "output": "\(run.outputFile)",
                "last_lines": "\(run.tail.joined(separator: " | "))",
            ])
        if run.timedOut {
            return PartResult(
                status: .timedOut, exitCode: run.exitCode,
                detail: "killed after \(timeout) s (userdata_script_timeout), with its whole process group\(tail)",
                ran: true)
        }
        switch code {
        case 0:
            return PartResult(status: .done, exitCode: 0, ran: true)
        case ScriptExitCode.rebootDone where contract:
            return PartResult(
                status: .done, exitCode: code, detail: "exited 1001: reboot, not run again", ran: true, rebootNow: true)
        case ScriptExitCode.runAgain where contract:
            return PartResult(
                status: .runAgain, exitCode: code, detail: "exited 1002: run again at the next boot", ran: true)
        case ScriptExitCode.rebootRunAgain where contract:
            return PartResult(
                status: .rebootThenRunAgain, exitCode: code, detail: "exited 1003: reboot, then run again", ran: true,
                rebootNow: true)
        default:
            return PartResult(status: .failed, exitCode: code, detail: "exited with status \(code)\(tail)", ran: true)
        }
    }
}
