import AgentBase
import DataSources
import Foundation
import HostEffects
import TestSupport
import Testing

@testable import Plugins

/// cloud-config power_state: decided at the end of the run, carried out only on the live
/// system; the live path is checked with a recording runner, and a whole run under --root
/// (the agent's own AgentRun) never runs shutdown.
@Suite struct PowerStateTests {
    struct FixedSource: DataSource {
        let id = "configdrive"
        let isLocal = false
        let metadata: InstanceMetadata
        func load() async throws -> InstanceMetadata? { metadata }
    }

    static let request = PowerStateRequest(mode: .reboot, delayMinutes: 5, message: "bye")

    @Test func onlyTheLiveSystemWithoutDryRunOrAPluginReboot() {
        let scratch = SystemRoot("/tmp/some-image")
        #expect(PowerStateAction.decide(nil, root: .live, dryRun: false, reboot: .none) == .none)
        #expect(
            PowerStateAction.decide(Self.request, root: .live, dryRun: false, reboot: .none) == .perform(Self.request))
        #expect(
            PowerStateAction.decide(Self.request, root: .live, dryRun: true, reboot: .none)
                == .declined(Self.request, why: "dry run"))
        #expect(
            PowerStateAction.decide(Self.request, root: scratch, dryRun: false, reboot: .none)
                == .declined(Self.request, why: "--root /tmp/some-image is not the running system"))
        #expect(
            PowerStateAction.decide(
                Self.request, root: .live, dryRun: false, reboot: .reboot(plugin: "userdata", reason: "x"))
                == .declined(Self.request, why: "the agent reboots the machine for the userdata plugin"))
    }

    @Test func performRunsShutdownWhenTheConditionIsMet() async {
        let runner = RecordingCommandRunner()
        await PowerStateAction.perform(Self.request).perform(runner: runner, logger: LogCapture().logger())
        #expect(runner.calls.map(\.argv) == [["shutdown", "-r", "+5", "bye"]])

        var never = Self.request
        never.condition = .always(false)
        let none = RecordingCommandRunner()
        await PowerStateAction.perform(never).perform(runner: none, logger: LogCapture().logger())
        #expect(none.calls.isEmpty)
    }

    /// cloud-init's check_condition: exit 0 is met, 1 (or anything else) is not.
    @Test func conditionCommandDecides() async {
        var conditional = PowerStateRequest(
            mode: .poweroff, timeoutSeconds: 3, condition: .command(["/bin/sh", "-c", "test -f /x"]))
        for (status, shutdown) in [(Int32(0), true), (1, false), (2, false)] {
            let runner = RecordingCommandRunner { argv in CommandResult(exitCode: argv[0] == "shutdown" ? 0 : status) }
            await PowerStateAction.perform(conditional).perform(runner: runner, logger: LogCapture().logger())
            let expected: [[String]] =
                [["/bin/sh", "-c", "test -f /x"]] + (shutdown ? [["shutdown", "-P", "now"]] : [])
            #expect(runner.calls.map(\.argv) == expected, "condition exit \(status)")
            #expect(runner.calls.first?.options.timeout == .seconds(3))
        }
        conditional.condition = .always(true)
        let runner = RecordingCommandRunner()
        await PowerStateAction.declined(conditional, why: "x").perform(runner: runner, logger: LogCapture().logger())
        #expect(runner.calls.isEmpty)
    }

    /// A whole run (both stages) under --root with power_state in the user data: the userdata
    /// plugin hands the request over, the end of the run declines it, no command runs, and
    /// the log says what would have run.
    @Test func aRunUnderRootNeverCallsShutdown() async throws {
        let root = try PluginTestContext.makeRoot()
        var metadata = PluginTestContext.sampleMetadata()
        metadata.userData = Data("#cloud-config\npower_state: {mode: poweroff, delay: now, message: done}\n".utf8)
        var config = AgentConfig()
        config.run.plugins = ["userdata"]
        let runner = RecordingCommandRunner()
        let logs = LogCapture()
        let run = AgentRun(
            config: config, root: SystemRoot(root.path), dryRun: false, runner: runner, logger: logs.logger(),
            sources: [FixedSource(metadata: metadata)], console: { _ in })
        let summary = await run.execute()
        #expect(summary.exitCode == 0, "\(summary.plugins)")
        #expect(runner.calls.isEmpty, "\(runner.calls.map(\.argv))")
        #expect(logs.text.contains("cloud-config power_state not carried out"), "\(logs.text)")
        #expect(logs.text.contains("shutdown -P now done"))
        #expect(logs.text.contains("is not the running system"))

        // Next boot: the part is done for this instance; nothing is requested again.
        let again = LogCapture()
        _ = await AgentRun(
            config: config, root: SystemRoot(root.path), dryRun: false, runner: runner, logger: again.logger(),
            sources: [FixedSource(metadata: metadata)], console: { _ in }
        ).execute()
        #expect(!again.text.contains("power_state"), "\(again.text)")
    }
}
