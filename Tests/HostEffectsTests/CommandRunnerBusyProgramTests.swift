import AgentBase
import Foundation
import HostEffects
import TestSupport
import Testing

/// Regression (CI, stop 34): a script written just before it is run can be refused by execve
/// with ETXTBSY while a child forked by another thread still holds a copy of the writing
/// descriptor. The runner waits that out instead of failing the command.
@Suite(.ownThread(.timesDeadlines)) struct CommandRunnerBusyProgramTests {
    let root: TemporaryDirectory
    let runner: SubprocessCommandRunner

    init() throws {
        root = try TemporaryDirectory(prefix: "guest-agent-busy")
        runner = SubprocessCommandRunner(tools: ToolLocator(root: SystemRoot(root.path)))
    }

    /// Holds `path` open for writing, as the forked child does, until the returned handle closes.
    func holdOpenForWriting(_ path: String) throws -> FileHandle {
        try #require(FileHandle(forWritingAtPath: path))
    }

    @Test func aProgramHeldOpenForWritingForAMomentRunsOnceItIsReleased() async throws {
        let path = try root.write("#!/bin/sh\necho ran\nexit 7\n", to: "usr/bin/fresh", mode: 0o755)
        let writer = try holdOpenForWriting(path)
        let run = Task { try await runner.run(["fresh"], standardInput: nil) }
        try await Task.sleep(for: .milliseconds(150))
        try writer.close()
        let result = try await run.value
        #expect(result.exitCode == 7)
        #expect(result.standardOutput == "ran\n")
    }

    @Test func aProgramHeldOpenForWritingForLongerIsANamedFailure() async throws {
        let path = try root.write("#!/bin/sh\nexit 0\n", to: "usr/bin/held", mode: 0o755)
        let writer = try holdOpenForWriting(path)
        defer { try? writer.close() }
        await #expect {
            try await runner.run(["held"], standardInput: nil)
        } throws: { error in
            guard case .commandFailed(let argv, let status, let detail) = error as? HostError else { return false }
            return argv == ["held"] && status == "could not be run" && detail.contains("busy")
        }
    }
}
