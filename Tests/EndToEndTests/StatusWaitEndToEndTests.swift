import Foundation
import TestSupport
import Testing

/// `guest-agent status --wait` against real runs of the built agent and the mock server.
@Suite(.serialized) struct StatusWaitEndToEndTests {
    typealias Environment = AgentEndToEndTests.Environment

    static var currentBoot: String? {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func json(_ result: ProgramResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    static func startRun(_ env: Environment, _ extra: [String] = []) throws -> Process {
        try Program.start(
            BuiltProducts.path("guest-agent"), ["run"] + extra + ["--config", env.config, "--root", env.root.path])
    }

    @Test func waitReturnsWhenARealRunHasFinishedWithItsExitCode() async throws {
        // Latency on every request keeps the run going while status starts waiting.
        let env = try await AgentEndToEndTests.environment(serverArguments: ["--latency-ms", "300"])
        let run = try Self.startRun(env)
        let wait = try await env.agent(["status", "--wait", "--json", "--timeout", "100"], timeout: 110)
        #expect(await Program.exit(of: run) == 0)
        #expect(wait.status == 0, "\(wait.standardOutput)\n\(wait.standardError)")
        let json = try Self.json(wait)
        // Only the finished run's summary has these: status did wait for it.
        #expect(json["bootStatus"] as? String == "done")
        #expect(json["instanceID"] as? String == AgentEndToEndTests.fixtureInstance)
        #expect((json["stages"] as? [[String: Any]])?.compactMap { $0["stage"] as? String } == ["local", "network"])
        let text = try await env.agent(["status", "--wait"])
        #expect(text.status == 0 && text.standardOutput.contains("this boot: done"))
    }

    @Test func aFailedRunGivesItsExitCode() async throws {
        let env = try await AgentEndToEndTests.environment(plugins: "hostname, files")
        // The injected file's directory is a symbolic link: the files plugin refuses it and fails.
        let elsewhere = env.work.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: env.root.path + "/etc/guest-agent-demo", withDestinationPath: elsewhere)
        let run = try Self.startRun(env)
        let wait = try await env.agent(["status", "--wait", "--json", "--timeout", "100"], timeout: 110)
        #expect(await Program.exit(of: run) == 1)
        #expect(wait.status == 1, "\(wait.standardOutput)\n\(wait.standardError)")
        #expect(try Self.json(wait)["bootStatus"] as? String == "failed")
        // No metadata source at all: the run's 2 comes through too.
        env.server.stop()
        #expect(try await env.agent(["clean"]).status == 0)
        #expect(try await env.agent(["run"]).status == 2)
        #expect(try await env.agent(["status", "--wait", "--timeout", "10"]).status == 2)
    }

    @Test func withNoRunItWaitsUntilTheTimeoutAndSaysStillRunning() async throws {
        let env = try await AgentEndToEndTests.environment()
        let wait = try await env.agent(["status", "--wait", "--json", "--timeout", "0.5"])
        #expect(wait.status == 75, "\(wait.standardOutput)\n\(wait.standardError)")
        let json = try Self.json(wait)
        #expect(json["bootStatus"] as? String == "running")
        #expect(json["bootStatusReason"] as? String == "no run recorded yet")
        // Without --wait, status keeps its old codes: 1 for no run recorded.
        #expect(try await env.agent(["status"]).status == 1)
        // --timeout is for --wait only (a usage error).
        #expect(try await env.agent(["status", "--timeout", "1"]).status == 64)
        // Out of range (and once a trap in the deadline arithmetic): a usage error too.
        for value in ["-1", "1e300", "inf", "nan"] {
            #expect(try await env.agent(["status", "--wait", "--timeout", value]).status == 64, "--timeout \(value)")
        }
    }

    @Test(.enabled(if: currentBoot != nil, "needs /proc/sys/kernel/random/boot_id"))
    func aSummaryFromAnEarlierBootIsNotThisBootsEnd() async throws {
        let env = try await AgentEndToEndTests.environment()
        #expect(try await env.agent(["run"]).status == 0)
        // Make the saved summary an earlier boot's.
        let path = env.root.path + "/var/lib/guest-agent/last-run.json"
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        let boot = try #require(Self.currentBoot)
        try saved.replacingOccurrences(of: boot, with: "00000000-0000-0000-0000-000000000000")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let wait = try await env.agent(["status", "--wait", "--timeout", "0.5"])
        #expect(wait.status == 75)
        #expect(wait.standardOutput.contains("this boot: running (the last run was in an earlier boot"))
        #expect(try await env.agent(["status"]).status == 0, "plain status still shows the last run")
    }

    @Test func afterTheLocalStageAloneItKeepsWaitingForTheNetworkStage() async throws {
        let env = try await AgentEndToEndTests.environment()
        // A config drive as a directory in the root, found before the network source.
        let drive = try ConfigDriveImages.stage(in: env.work)
        try FileManager.default.createDirectory(atPath: env.root.path + "/mnt", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: drive, toPath: env.root.path + "/mnt/config")
        let config = try String(contentsOfFile: env.config, encoding: .utf8).replacingOccurrences(
            of: "metadata_services = openstack",
            with: "metadata_services = configdrive, openstack\nconfigdrive_paths = /mnt/config")
        try config.write(toFile: env.config, atomically: true, encoding: .utf8)
        #expect(try await env.agent(["run", "--stage", "local"]).status == 0)
        let early = try await env.agent(["status", "--wait", "--json", "--timeout", "0.5"])
        #expect(early.status == 75)
        #expect((try Self.json(early)["bootStatusReason"] as? String)?.contains("network stage has not run") == true)
        // The network unit starts later; the waiting status returns once it is done.
        let run = try Self.startRun(env, ["--stage", "network"])
        let wait = try await env.agent(["status", "--wait", "--timeout", "100"], timeout: 110)
        await Program.exit(of: run)
        #expect(wait.status == 0, "\(wait.standardOutput)\n\(wait.standardError)")
        #expect(wait.standardOutput.contains("this boot: done"))
    }
}
