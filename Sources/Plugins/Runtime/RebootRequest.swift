import AgentBase
import DataSources
import FoundationEssentials
import HostEffects
import Logging

/// What to do after a run in which a plugin asked for a reboot.
public enum RebootDecision: Equatable, Sendable {
    /// No plugin asked.
    case none
    /// Reboot now; `plugin` asked, for `reason`.
    case reboot(plugin: String, reason: String)
    /// A plugin asked but the agent will not reboot, for `why` (logged and shown).
    case declined(plugin: String, why: String)

    /// Reboots only the live system, never with `--root` or `--dry-run`, and only when
    /// `allow_reboot` is on: an image build or a test must never restart the host.
    public static func decide(records: [PluginRecord], config: AgentConfig, root: SystemRoot, dryRun: Bool)
        -> RebootDecision
    {
        guard let asking = records.first(where: { $0.status == .rebootRequired }) else { return .none }
        if dryRun { return .declined(plugin: asking.plugin, why: "dry run") }
        if !root.isLiveSystem {
            return .declined(plugin: asking.plugin, why: "--root \(root.hostPath) is not the running system")
        }
        if !config.run.allowReboot { return .declined(plugin: asking.plugin, why: "allow_reboot is off") }
        return .reboot(plugin: asking.plugin, reason: asking.reason ?? "")
    }

    /// Carries the decision out: asks systemd for a clean reboot (falling back to
    /// `reboot`), after the state and summary are saved, so the deferred plugins run on
    /// the next boot. A refused reboot is logged; the run's exit code does not change.
    public func perform(runner: any CommandRunner, logger: Logger) async {
        switch self {
        case .none:
            return
        case .declined(let plugin, let why):
            logger.warning(
                "a plugin asked for a reboot; not rebooting", metadata: ["requested_by": "\(plugin)", "why": "\(why)"])
        case .reboot(let plugin, let reason):
            logger.notice("rebooting", metadata: ["requested_by": "\(plugin)", "reason": "\(reason)"])
            for argv in [["systemctl", "reboot"], ["reboot"]] {
                if let result = try? await runner.run(argv, standardInput: nil), result.exitCode == 0 { return }
            }
            logger.error(
                "reboot failed; the deferred plugins run at the next boot", metadata: ["requested_by": "\(plugin)"])
        }
    }
}
