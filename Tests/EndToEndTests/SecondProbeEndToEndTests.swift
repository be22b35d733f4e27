import Foundation
import TestSupport
import Testing

/// Regressions from the second hostile probe (issue 29) that are about the built binary:
/// each ran the agent as the probe did and failed before its fix.
@Suite(.serialized) struct SecondProbeEndToEndTests {
    typealias Env = AgentEndToEndTests.Environment

    /// Item 4: the agent as PID 1 of a new PID namespace, as at every early boot, finds the
    /// temporary files a killed PID 1 left: it writes its state anyway and removes them.
    @Test(.enabled(if: Program.isRoot, "needs root for a PID namespace: skipped (CI runs as root)"))
    func temporaryFilesLeftByAKilledRunWithTheSamePIDNeitherFailTheRunNorStay() async throws {
        let env = try await AgentEndToEndTests.environment(plugins: "hostname")
        let state = "var/lib/guest-agent"
        let instance = "4b2c7d8e-1f3a-4c5b-9d6e-7f8091a2b3c4"
        let leftovers = [
            "\(state)/instances/.\(instance).json.guest-agent.1.tmp", "\(state)/.last-run.json.guest-agent.1.tmp",
            "\(state)/.boots.json.guest-agent.1.tmp",
        ]
        for leftover in leftovers { _ = try env.root.write("cut short by kill -9", to: leftover, mode: 0o600) }
        let run = try await Program.tool(
            "unshare",
            ["--pid", "--fork", "--mount", "--mount-proc", BuiltProducts.path("guest-agent"), "run"]
                + ["--config", env.config, "--root", env.root.path])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        #expect(!run.standardError.contains("File exists"))
        for leftover in leftovers {
            #expect(!FileManager.default.fileExists(atPath: env.root.path + "/" + leftover), "\(leftover) removed")
        }
        #expect(FileManager.default.fileExists(atPath: env.root.path + "/\(state)/instances/\(instance).json"))
        #expect(try await env.agent(["status"]).standardOutput.contains("hostname   [network] done"))
    }

    /// Item 9: an instance id with a newline and terminal escapes forged whole log lines
    /// and drove the terminal, through the log, its file, `run` and `status`.
    @Test func controlCharactersInTheInstanceIDNeverReachAnOutputRaw() async throws {
        let env = try await AgentEndToEndTests.environment(plugins: "hostname")
        let metaData = env.fixtures + "/openstack/latest/meta_data.json"
        let hostile = "i-1\\n2026-01-01T00:00:00Z error forged line\\u001b[2J\\u0007"
        let original = try String(contentsOfFile: metaData, encoding: .utf8)
        try original.replacingOccurrences(of: "4b2c7d8e-1f3a-4c5b-9d6e-7f8091a2b3c4", with: hostile)
            .write(toFile: metaData, atomically: true, encoding: .utf8)

        let run = try await env.agent(["run"])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        let status = try await env.agent(["status"])
        let analyze = try await env.agent(["analyze"])
        let query = try await env.agent(["query", "instance_id"])
        let log = try String(contentsOfFile: env.root.path + "/var/log/guest-agent.log", encoding: .utf8)
        let outputs = [
            "run": run.standardOutput, "run's log": run.standardError, "status": status.standardOutput,
            "analyze": analyze.standardOutput, "query": query.standardOutput, "log file": log,
        ]
        for (name, text) in outputs {
            #expect(!text.contains("\u{1B}") && !text.contains("\u{07}"), "\(name) holds a raw escape")
            let forged = text.split(separator: "\n").filter { $0.hasPrefix("2026-01-01T00:00:00Z error forged") }
            #expect(forged.isEmpty, "\(name) has a forged line")
        }
        #expect(run.standardOutput.contains("instance i-1\\u{a}2026-01-01T00:00:00Z error forged line\\u{1b}[2J\\u{7}"))
        #expect(status.standardOutput.contains("\\u{1b}[2J"))
        #expect(query.standardOutput == "i-1\\u{a}2026-01-01T00:00:00Z error forged line\\u{1b}[2J\\u{7}\n")
        #expect(log.contains("i-1\\u{a}2026"))
        // JSON output stays JSON: its own escaping is exact, so scripts get the real id.
        let json = try await AgentEndToEndTests.statusJSON(env)
        #expect(json["instanceID"] as? String == "i-1\n2026-01-01T00:00:00Z error forged line\u{1B}[2J\u{07}")
    }

    /// Item 13: without /proc (a chroot into an image) the static runtime lost the command
    /// line, and `run` printed the help and exited 0 having done nothing; the runtime's thread
    /// pool traps without /proc too (exit 132 at random). Now: refused at once, naming /proc.
    @Test(.enabled(if: Program.isRoot, "needs root for a mount namespace: skipped (CI runs as root)"))
    func withoutProcEveryCommandFailsNamingProcAndDoesNothing() async throws {
        let env = try await AgentEndToEndTests.environment(plugins: "hostname")
        // An empty /proc in a private mount namespace: what a chroot without /proc mounted gives.
        func withoutProc(_ arguments: [String]) async throws -> ProgramResult {
            try await Program.tool(
                "unshare",
                ["--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs none /proc && exec \"$@\"", "sh"]
                    + [BuiltProducts.path("guest-agent")] + arguments)
        }
        for arguments in [["run"], ["status", "--json"], ["query"]] {
            let result = try await withoutProc(arguments + ["--config", env.config, "--root", env.root.path])
            #expect(result.status == 64, "\(arguments): \(result.standardOutput)\n\(result.standardError)")
            #expect(result.standardError.contains("/proc is not mounted"), "\(result.standardError)")
            #expect(!result.standardOutput.contains("USAGE"), "the help instead of an error")
        }
        #expect(!FileManager.default.fileExists(atPath: env.root.path + "/var/lib/guest-agent"), "nothing was run")
        // With /proc the same command line runs: the refusal is about /proc, not the arguments.
        let run = try await env.agent(["run"])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
    }
}
