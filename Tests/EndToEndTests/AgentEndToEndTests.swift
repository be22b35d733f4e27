import Foundation
import TestSupport
import Testing

/// The built `guest-agent` binary against the built mock server on loopback, acting on
/// a scratch root with `--root`.
@Suite(.serialized) struct AgentEndToEndTests {
    static let fixtureInstance = "4b2c7d8e-1f3a-4c5b-9d6e-7f8091a2b3c4"

    struct Environment {
        let work: TemporaryDirectory
        let root: TemporaryDirectory
        let server: MockServerProcess
        let fixtures: String
        let config: String

        func agent(_ arguments: [String], timeout: Double = 60) async throws -> ProgramResult {
            try await Program.agent(arguments, config: config, root: root.path, timeout: timeout)
        }
    }

    /// A copy of the default fixtures served on a free port, a root with the admin user,
    /// and a configuration pointing at the server.
    static func environment(
        plugins: String = "hostname, ssh_keys", serverArguments: [String] = [],
        extraConfig: String = ""
    ) async throws -> Environment {
        let work = try TemporaryDirectory(prefix: "guest-agent-e2e")
        let fixtures = work.path + "/fixtures"
        try FileManager.default.copyItem(atPath: BuiltProducts.defaultFixtures, toPath: fixtures)
        let root = try PluginTestContext.makeRoot(users: ["cloud-admin"])
        let server = try await MockServerProcess(
            fixtures: fixtures, arguments: serverArguments, logDirectory: work.path)
        let config = try work.write(
            """
            [DEFAULT]
            metadata_services = openstack
            metadata_base_url = \(server.baseURL.absoluteString)/
            retry_count_interval = 0.05
            discovery_timeout = 10
            plugins = \(plugins)
            log_file = /var/log/guest-agent.log
            \(extraConfig)
            """, to: "agent.conf")
        return Environment(work: work, root: root, server: server, fixtures: fixtures, config: config)
    }

    static func statusJSON(_ env: Environment) async throws -> [String: Any] {
        let status = try await env.agent(["status", "--json"])
        #expect(status.status == 0, "status failed: \(status.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
    }

    static func pluginStatuses(_ json: [String: Any]) -> [String: String] {
        var result: [String: String] = [:]
        for row in json["plugins"] as? [[String: Any]] ?? [] {
            result[row["plugin"] as! String] = row["status"] as? String
        }
        return result
    }

    /// The log line format (`2026-11-22T10:00:00Z info message key=value`) is read by people
    /// and scripts; the stamp is made without ICU (README, Performance) and must stay ISO 8601
    /// UTC to the second, and the time of the run.
    @Test func logLinesStartWithTheUTCTimeOfTheRunInISO8601() async throws {
        let env = try await Self.environment(plugins: "hostname")
        let before = Date(timeIntervalSinceNow: -1)
        let run = try await env.agent(["run"])
        let after = Date(timeIntervalSinceNow: 1)
        #expect(run.status == 0, "\(run.standardError)")
        let fileLines = try String(contentsOfFile: env.root.path + "/var/log/guest-agent.log", encoding: .utf8)
        let lines = (run.standardError + fileLines).split(separator: "\n").map(String.init)
        #expect(lines.count >= 2, "too few log lines: \(run.standardError)")
        let parser = ISO8601DateFormatter()
        for line in lines {
            let stamp = String(line.prefix(while: { $0 != " " }))
            #expect(stamp.count == 20 && stamp.hasSuffix("Z"), "not an ISO 8601 UTC stamp: \(line)")
            let date = try #require(parser.date(from: stamp), "unparsable stamp in: \(line)")
            #expect(date >= before.addingTimeInterval(-1) && date <= after, "stamp \(stamp) is not the run's time")
            let level = line.dropFirst(stamp.count + 1).prefix(while: { $0 != " " })
            #expect(["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level), "\(line)")
        }
    }

    @Test(.enabled(if: Program.which("ssh-keygen") != nil, "needs ssh-keygen (openssh-client)"))
    func statusShowsTheHostKeyFingerprintsTheRunPrinted() async throws {
        let env = try await Self.environment(plugins: "host_keys")
        try UsersRealToolsRoot.linkHostTools(["ssh-keygen"], into: env.root)
        let run = try await env.agent(["run"])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        let console = run.standardOutput.components(separatedBy: "\n")
        let begin = try #require(console.firstIndex(of: "-----BEGIN SSH HOST KEY FINGERPRINTS-----"))
        let end = try #require(console.firstIndex(of: "-----END SSH HOST KEY FINGERPRINTS-----"))
        let printed = Array(console[(begin + 1)..<end])
        #expect(printed.count == 2, "the default types: ed25519 and ecdsa")
        #expect(try await Self.statusJSON(env)["hostKeyFingerprints"] as? [String] == printed)
        let text = try await env.agent(["status"]).standardOutput
        #expect(printed.allSatisfy { text.contains($0) })
    }

    @Test func firstBootConfiguresTheRootAndSecondRunIsANoOp() async throws {
        let env = try await Self.environment()
        let first = try await env.agent(["run"])
        #expect(first.status == 0, "stdout: \(first.standardOutput)\nstderr: \(first.standardError)")
        #expect(env.root.read("etc/hostname") == "demo-instance\n")
        #expect(
            env.root.read("etc/hosts")?.contains(
                "# BEGIN guest-agent host name\n127.0.1.1\tdemo-instance.novalocal demo-instance\n") == true)
        let keys = try #require(env.root.read("home/cloud-admin/.ssh/authorized_keys"))
        let fixtureKey = try String(
            contentsOfFile: BuiltProducts.repository.appendingPathComponent("fixtures/keys/demo_rsa.pub").path,
            encoding: .utf8)
        #expect(keys.contains(fixtureKey.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try env.root.attributes("home/cloud-admin/.ssh/authorized_keys").mode == 0o600)

        let status = try await Self.statusJSON(env)
        #expect(status["instanceID"] as? String == Self.fixtureInstance)
        #expect(status["exitCode"] as? Int == 0)
        #expect(Self.pluginStatuses(status) == ["hostname": "done", "ssh_keys": "done"])
        let rows = try #require(status["plugins"] as? [[String: Any]])
        #expect(rows.allSatisfy { $0["durationMs"] is Int && $0["at"] is String })
        #expect(env.root.read("var/log/guest-agent.log")?.contains("metadata source found") == true)

        // Second boot: nothing runs again, files untouched.
        let hostsBefore = env.root.read("etc/hosts")
        let second = try await env.agent(["run"])
        #expect(second.status == 0)
        await #expect(
            Self.pluginStatuses(try Self.statusJSON(env)) == ["hostname": "already-done", "ssh_keys": "already-done"])
        #expect(env.root.read("etc/hosts") == hostsBefore)
    }

    @Test func aChangedInstanceIDRunsEverythingAgain() async throws {
        let env = try await Self.environment()
        #expect(try await env.agent(["run"]).status == 0)
        let metaPath = env.fixtures + "/openstack/latest/meta_data.json"
        var meta = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metaPath))) as? [String: Any])
        meta["uuid"] = "11111111-2222-3333-4444-555555555555"
        meta["hostname"] = "cloned.novalocal"
        try JSONSerialization.data(withJSONObject: meta).write(to: URL(fileURLWithPath: metaPath))
        let run = try await env.agent(["run"])
        #expect(run.status == 0, "\(run.standardError)")
        let status = try await Self.statusJSON(env)
        #expect(status["instanceID"] as? String == "11111111-2222-3333-4444-555555555555")
        #expect(Self.pluginStatuses(status) == ["hostname": "done", "ssh_keys": "done"])
        #expect(env.root.read("etc/hostname") == "cloned\n")
    }

    @Test func aFailingPluginGivesExitOneAndTheOthersStillRun() async throws {
        let env = try await Self.environment()
        // The admin user does not exist in this root: ssh_keys fails, hostname still runs.
        try env.root.write("root:x:0:0:root:/root:/bin/bash\n", to: "etc/passwd")
        let run = try await env.agent(["run"])
        #expect(run.status == 1)
        let statuses = Self.pluginStatuses(try await Self.statusJSON(env))
        #expect(statuses == ["hostname": "done", "ssh_keys": "failed"])
        #expect(run.standardOutput.contains("user 'cloud-admin' does not exist"))
    }

    @Test func dryRunPrintsChangesAndWritesNothing() async throws {
        let env = try await Self.environment()
        let run = try await env.agent(["run", "--dry-run"])
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("would write /etc/hostname: demo-instance"))
        #expect(env.root.read("etc/hostname") == nil)
        #expect(!FileManager.default.fileExists(atPath: env.root.path + "/var/lib/guest-agent"))
    }

    @Test func noMetadataSourceExitsTwoWithinTheDeadline() async throws {
        let work = try TemporaryDirectory()
        let root = try TemporaryDirectory()
        // A port nothing listens on, and a server that hangs: discovery must end by its deadline.
        let config = try work.write(
            """
            metadata_services = openstack, ec2
            metadata_base_url = http://127.0.0.1:9/
            ec2_metadata_base_url = http://127.0.0.1:9/
            retry_count = 1
            retry_count_interval = 0.05
            discovery_timeout = 3
            """, to: "agent.conf")
        let run = try await Program.run(
            BuiltProducts.path("guest-agent"), ["run", "--config", config, "--root", root.path], timeout: 30)
        #expect(run.status == 2)
        #expect(run.elapsed < 15)
        #expect(run.standardOutput.contains("source openstack: "))
        #expect(run.standardOutput.contains("source ec2: "))
    }

    @Test func configurationErrorsExitSixtyFourNamingTheLine() async throws {
        let work = try TemporaryDirectory()
        let config = try work.write("[DEFAULT]\nplugins = hostname, warp_drive\n", to: "agent.conf")
        let run = try await Program.run(
            BuiltProducts.path("guest-agent"), ["run", "--config", config, "--root", work.path])
        #expect(run.status == 64)
        #expect(run.standardError.contains("agent.conf:2: plugins names unknown id(s) warp_drive"))
    }

    @Test func queryPrintsNormalizedMetadata() async throws {
        let env = try await Self.environment()
        let id = try await env.agent(["query", "instance_id"])
        #expect(id.status == 0)
        #expect(id.standardOutput == Self.fixtureInstance + "\n")
        let all = try await env.agent(["query", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(all.standardOutput.utf8)) as? [String: Any])
        #expect(json["hostname"] as? String == "demo-instance.novalocal")
        #expect((json["meta"] as? [String: String])?["admin_username"] == "cloud-admin")
        #expect(try await env.agent(["query", "no_such_key"]).status == 1)
    }

    @Test func cleanForgetsTheInstance() async throws {
        let env = try await Self.environment()
        #expect(try await env.agent(["run"]).status == 0)
        #expect(try await env.agent(["clean"]).status == 0)
        #expect(try await env.agent(["status"]).status == 1)
        #expect(try await env.agent(["run"]).status == 0)
        await #expect(Self.pluginStatuses(try Self.statusJSON(env)) == ["hostname": "done", "ssh_keys": "done"])
    }
}
