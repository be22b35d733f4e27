import AgentBase
import DataSources
import Foundation
import HostEffects
import Plugins
import TestSupport
import Testing

/// When a plugin asks for a reboot: only the live system with allow_reboot on reboots;
/// `--root`, `--dry-run` and allow_reboot off never do. The runner records argv only, so
/// nothing here can restart the machine.
@Suite struct RebootDecisionTests {
    let asking = [
        PluginRecord(plugin: "hostname", status: .done, at: Date(), durationMs: 1),
        PluginRecord(
            plugin: "resize", status: .rebootRequired, at: Date(), durationMs: 1, reason: "partition table changed"),
    ]

    @Test func liveSystemRebootsThroughSystemd() async throws {
        let decision = RebootDecision.decide(records: asking, config: AgentConfig(), root: .live, dryRun: false)
        #expect(decision == .reboot(plugin: "resize", reason: "partition table changed"))
        let runner = RecordingCommandRunner()
        await decision.perform(runner: runner, logger: LogCapture().logger())
        #expect(runner.calls.map(\.argv) == [["systemctl", "reboot"]])
    }

    @Test func fallsBackToRebootWhenSystemctlFails() async throws {
        let runner = RecordingCommandRunner { argv in CommandResult(exitCode: argv[0] == "systemctl" ? 1 : 0) }
        await RebootDecision.reboot(plugin: "resize", reason: "x").perform(
            runner: runner, logger: LogCapture().logger())
        #expect(runner.calls.map(\.argv) == [["systemctl", "reboot"], ["reboot"]])
    }

    @Test func scratchRootDryRunAndAllowRebootOffNeverReboot() async throws {
        var off = AgentConfig()
        off.allowReboot = false
        let cases: [(RebootDecision, String)] = [
            (
                RebootDecision.decide(
                    records: asking, config: AgentConfig(), root: SystemRoot("/mnt/image"), dryRun: false),
                "--root /mnt/image is not the running system"
            ),
            (RebootDecision.decide(records: asking, config: AgentConfig(), root: .live, dryRun: true), "dry run"),
            (RebootDecision.decide(records: asking, config: off, root: .live, dryRun: false), "allow_reboot is off"),
        ]
        for (decision, why) in cases {
            #expect(decision == .declined(plugin: "resize", why: why))
            let runner = RecordingCommandRunner()
            let capture = LogCapture()
            await decision.perform(runner: runner, logger: capture.logger())
            #expect(runner.calls.isEmpty)
            #expect(capture.text.contains(why))
        }
        #expect(RebootDecision.decide(records: [asking[0]], config: AgentConfig(), root: .live, dryRun: false) == .none)
    }
}
