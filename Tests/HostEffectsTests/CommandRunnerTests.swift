import AgentBase
import DataSources
import Foundation
import HostEffects
import TestSupport
import Testing

/// The real runner: tools found under the target root, options applied, timeouts kill the
/// whole process group.
@Suite(.ownThread(.timesDeadlines)) struct CommandRunnerTests {
    let root: TemporaryDirectory
    let runner: SubprocessCommandRunner

    init() throws {
        root = try TemporaryDirectory(prefix: "guest-agent-runner")
        runner = SubprocessCommandRunner(tools: ToolLocator(root: SystemRoot(root.path)))
    }

    @Test func aToolIsFoundInTheTargetRootNotOnThisMachinesPath() async throws {
        // `true` exists on this machine, but not in the scratch root.
        await #expect(throws: HostError.commandNotFound("true")) { try await runner.run(["true"]) }
        try root.write("#!/bin/sh\necho from-the-root\n", to: "usr/bin/true", mode: 0o755)
        #expect(try await runner.run(["true"]).standardOutput == "from-the-root\n")
        #expect(ToolLocator(root: SystemRoot(root.path)).find("../usr/bin/true") == nil)
    }

    @Test func workingDirectoryAndEnvironmentAreExactlyThoseGiven() async throws {
        let options = CommandOptions(workingDirectory: root.path, environment: ["ONLY": "this"])
        let result = try await runner.run(
            ["/bin/sh", "-c", "pwd; env | grep -v '^PWD=' | grep -v '^SHLVL=' | grep -v '^_='"],
            standardInput: nil, options: options)
        #expect(result.standardOutput == "\(root.path.replacingOccurrences(of: "//", with: "/"))\nONLY=this\n")
    }

    @Test func aTimeoutKillsTheCommandAndEverythingItStarted() async throws {
        let pidFile = root.path + "/child.pid"
        let script = "sleep 300 & echo $! > \(pidFile); wait"
        let result = try await runner.run(
            ["/bin/sh", "-c", script], standardInput: nil,
            options: CommandOptions(timeout: .milliseconds(500)))
        #expect(result.timedOut)
        #expect(result.exitCode == 128 + SIGKILL)
        let child = try #require(
            Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Self.isGone(child), "the background child \(child) survived the timeout")
    }

    @Test func aCommandWithinItsTimeoutIsNotTouched() async throws {
        let result = try await runner.run(
            ["/bin/sh", "-c", "exit 3"], standardInput: nil, options: CommandOptions(timeout: .seconds(30)))
        #expect(result == CommandResult(exitCode: 3))
        await #expect(throws: HostError.self) {
            try await runner.check(["/bin/sh", "-c", "sleep 5"], options: CommandOptions(timeout: .milliseconds(200)))
        }
    }

    /// Gone or a zombie waiting for its reaper (PID 1 in a container may never reap it).
    static func isGone(_ pid: Int32) -> Bool {
        for _ in 0..<50 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            usleep(100_000)
        }
        return false
    }
}
