import AgentBase
import DataSources
import Foundation
import HostEffects
import TestSupport
import Testing

/// Regression (issue 29): a tool that exits without reading its standard input (chpasswd
/// that cannot lock /etc/shadow, a full disk, a site wrapper that refuses) made the agent
/// die with SIGILL ("FileDescriptor ... was not closed") in most runs, when writing stdin
/// failed with EPIPE. Each case runs many times: the crash depended on who won the race
/// between the tool's exit and the write.
@Suite(.ownThread(.timesDeadlines)) struct CommandRunnerEarlyExitTests {
    static let runs = 50
    /// What chpasswd gets: one `user:hash` line.
    static let line = Data("cloud-user:$6$c2FsdHNhbHQ$\(String(repeating: "x", count: 86))\n".utf8)

    let root: TemporaryDirectory
    let runner: SubprocessCommandRunner

    init() throws {
        root = try TemporaryDirectory(prefix: "guest-agent-runner")
        runner = SubprocessCommandRunner(tools: ToolLocator(root: SystemRoot(root.path)))
    }

    @Test(arguments: [
        ("exits at once", "exit 1\n", 1, ""),
        (
            "closes its standard input, then sleeps",
            "exec 0<&-\nsleep 0.02\necho 'cannot lock /etc/shadow' >&2\nexit 4\n",
            4, "cannot lock /etc/shadow\n"
        ),
    ])
    func aToolThatDoesNotReadItsInputIsAnOrdinaryResult(
        _ what: String, script: String, status: Int32, stderr: String
    ) async throws {
        try root.write("#!/bin/sh\n" + script, to: "usr/sbin/chpasswd", mode: 0o755)
        for run in 1...Self.runs {
            let result = try await runner.run(["chpasswd", "--encrypted"], standardInput: Self.line)
            #expect(result.exitCode == status, "\(what), run \(run)")
            #expect(result.standardError == stderr, "\(what), run \(run)")
            #expect(!result.timedOut)
        }
    }

    @Test func aToolThatExitsWhileALargeInputIsWrittenIsAnOrdinaryResult() async throws {
        // Reads 100 bytes of 4 MiB, far more than a pipe holds, and exits.
        try root.write(
            "#!/bin/sh\nhead -c 100 >/dev/null\necho 'read enough' >&2\nexit 3\n", to: "usr/bin/partial", mode: 0o755)
        let input = Data(repeating: 0x61, count: 4 << 20)
        for run in 1...10 {
            let result = try await runner.run(["partial"], standardInput: input)
            #expect(result.exitCode == 3, "run \(run)")
            #expect(result.standardError == "read enough\n", "run \(run)")
            #expect(result.standardInputUnread, "run \(run): the unread input is reported")
        }
        // A tool that exits 0 without reading its input has not done what it was given.
        try root.write("#!/bin/sh\nexec 0<&-\nexit 0\n", to: "usr/bin/ignores", mode: 0o755)
        await #expect(throws: HostError.self) { try await runner.check(["ignores"], standardInput: input) }
    }

    @Test func aToolThatNeverReadsALargeInputStillEndsAtItsTimeout() async throws {
        // The write blocks on a full pipe; the timeout's kill must end it, not hang the run.
        // (No wall-clock bound: other suites share the cooperative pool. A hang shows as
        // the script ending on its own after 300 s: exit 0, not timed out.)
        try root.write("#!/bin/sh\nsleep 300\n", to: "usr/bin/stuck", mode: 0o755)
        let result = try await runner.run(
            ["stuck"], standardInput: Data(repeating: 0x63, count: 4 << 20),
            options: CommandOptions(timeout: .milliseconds(300)))
        #expect(result.timedOut && result.exitCode == 128 + SIGKILL)
    }

    @Test func outputPastTheLimitIsANamedErrorNotACrash() async throws {
        // The other way a run can end before the input is written: the output cap.
        try root.write("#!/bin/sh\nhead -c 100000 /dev/zero\nexit 0\n", to: "usr/bin/chatty", mode: 0o755)
        let small = SubprocessCommandRunner(tools: ToolLocator(root: SystemRoot(root.path)), outputLimit: 1024)
        for run in 1...10 {
            await #expect("run \(run)") {
                try await small.run(["chatty"], standardInput: Data(repeating: 0x64, count: 1 << 20))
            } throws: { error in
                guard case .commandFailed(let argv, let status, _) = error as? HostError else { return false }
                return argv == ["chatty"] && status == "could not be run"
            }
        }
    }

    @Test func theSameHoldsWhenTheOutputGoesToAFile() async throws {
        try root.write("#!/bin/sh\necho refused\nexit 1\n", to: "usr/sbin/chpasswd", mode: 0o755)
        let log = root.path + "/output.log"
        for run in 1...Self.runs {
            let result = try await runner.run(
                ["chpasswd"], standardInput: Self.line, options: CommandOptions(outputFile: log))
            #expect(result.exitCode == 1, "run \(run)")
            #expect(root.read("output.log") == "refused\n", "run \(run)")
        }
    }

    @Test func aToolThatReadsItsInputGetsAllOfIt() async throws {
        try root.write("#!/bin/sh\nwc -c\n", to: "usr/bin/count", mode: 0o755)
        let input = Data(repeating: 0x62, count: 1 << 20)
        let result = try await runner.run(["count"], standardInput: input)
        #expect(result.exitCode == 0 && !result.standardInputUnread)
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "\(1 << 20)")
    }
}
