import AgentBase
import FoundationEssentials
import HostEffects
import Logging

/// What the end of a run does with a cloud-config `power_state` request.
public enum PowerStateAction: Equatable, Sendable {
    case none
    /// Not carried out, and why (logged with the command it would have run).
    case declined(PowerStateRequest, why: String)
    case perform(PowerStateRequest)

    /// Only the live system, never with `--root` (an image build or a test must never stop
    /// the machine it runs on) or `--dry-run`, and not when the agent reboots anyway for a
    /// plugin (`RebootDecision`).
    public static func decide(
        _ request: PowerStateRequest?, root: SystemRoot, dryRun: Bool, reboot: RebootDecision
    ) -> PowerStateAction {
        guard let request else { return .none }
        if dryRun { return .declined(request, why: "dry run") }
        if !root.isLiveSystem { return .declined(request, why: "--root \(root.hostPath) is not the running system") }
        if case .reboot(let plugin, _) = reboot {
            return .declined(request, why: "the agent reboots the machine for the \(plugin) plugin")
        }
        return .perform(request)
    }

    /// Checks the condition, then runs shutdown(8) by argv. Failures are logged: the run is
    /// over and its exit code saved, so they cannot change it (cloud-init only logs them too).
    public func perform(runner: any CommandRunner, logger: Logger) async {
        switch self {
        case .none:
            return
        case .declined(let request, let why):
            logger.notice(
                "cloud-config power_state not carried out",
                metadata: ["why": "\(why)", "would_run": "\(request.shutdownArgv.joined(separator: " "))"])
        case .perform(let request):
            guard await Self.conditionMet(request, runner: runner, logger: logger) else { return }
            logger.notice(
                "cloud-config power_state", metadata: ["command": "\(request.shutdownArgv.joined(separator: " "))"])
            do {
                let result = try await runner.run(request.shutdownArgv, standardInput: nil)
                if let failure = result.failure {
                    logger.error(
                        "power_state: shutdown failed",
                        metadata: ["status": "\(failure)", "stderr": "\(TextPreview.line(result.standardError))"])
                }
            } catch {
                logger.error("power_state: shutdown could not be run", metadata: ["error": "\(error)"])
            }
        }
    }

    /// cloud-init's `check_condition`: a boolean as it is; a command met on exit 0, not met on
    /// any other status, on a timeout or when it cannot be run.
    static func conditionMet(_ request: PowerStateRequest, runner: any CommandRunner, logger: Logger) async -> Bool {
        switch request.condition {
        case .always(let met):
            if !met { logger.info("power_state: condition is false; no change") }
            return met
        case .command(let argv):
            let options = CommandOptions(
                // Capped at a day: any value reads (cloud-init's float()), and Int64 must hold it.
                timeout: .milliseconds(Int64(min(request.timeoutSeconds, 86_400) * 1000)), workingDirectory: "/",
                environment: ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"])
            guard let result = try? await runner.run(argv, standardInput: nil, options: options) else {
                logger.warning("power_state: the condition command could not be run; no change")
                return false
            }
            if result.exitCode != 0 || result.timedOut {
                logger.info(
                    "power_state: condition not met; no change",
                    metadata: ["status": "\(result.failure ?? "exit \(result.exitCode)")"])
                return false
            }
            return true
        }
    }
}
