import Foundation
import TestSupport
import Testing

/// `guest-agent analyze` over real runs and over hand-written state files.
@Suite(.serialized) struct AnalyzeEndToEndTests {
    static func boots(_ result: ProgramResult) throws -> [[String: Any]] {
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        return try #require(json["boots"] as? [[String: Any]])
    }

    static func durations(_ rows: [[String: Any]]) -> [Int] {
        rows.compactMap { $0["durationMs"] as? Int }
    }

    @Test func aRealRunIsTimedPerStageAndPluginSlowestFirst() async throws {
        // Latency makes every request, and so discovery and the plugins that fetch, take time.
        let env = try await AgentEndToEndTests.environment(
            plugins: "hostname, ssh_keys, files", serverArguments: ["--latency-ms", "30"])
        #expect(try await env.agent(["run"]).status == 0)
        let analyze = try await env.agent(["analyze", "--json"])
        #expect(analyze.status == 0, "\(analyze.standardError)")
        let boots = try Self.boots(analyze)
        #expect(boots.count == 1)
        let boot = try #require(boots.first)
        #expect(boot["instanceID"] as? String == AgentEndToEndTests.fixtureInstance)
        #expect((boot["durationMs"] as? Int ?? 0) > 0)
        let plugins = try #require(boot["plugins"] as? [[String: Any]])
        #expect(Set(plugins.compactMap { $0["plugin"] as? String }) == ["hostname", "ssh_keys", "files"])
        #expect(Self.durations(plugins) == Self.durations(plugins).sorted(by: >))
        let stages = try #require(boot["stages"] as? [[String: Any]])
        #expect(Set(stages.compactMap { $0["stage"] as? String }) == ["local", "network"])
        #expect(Self.durations(stages) == Self.durations(stages).sorted(by: >))
        let network = try #require(stages.first { $0["stage"] as? String == "network" })
        #expect((network["durationMs"] as? Int ?? 0) > 0)
        #expect((network["discoveryMs"] as? Int ?? 0) > 0)
        // The table names every plugin, marks this boot, and lists plugins slowest first.
        let text = try await env.agent(["analyze"])
        #expect(text.status == 0)
        #expect(
            text.standardOutput.contains("(this boot), instance \(AgentEndToEndTests.fixtureInstance) from openstack"))
        let order = plugins.compactMap { $0["plugin"] as? String }
        let positions = order.compactMap { name in
            text.standardOutput.range(of: "  \(name) ")?.lowerBound
        }
        #expect(positions.count == 3 && positions == positions.sorted())
        // A second run in the same boot replaces that boot's entry.
        #expect(try await env.agent(["run"]).status == 0)
        #expect(try await Self.boots(try env.agent(["analyze", "--json"])).count == 1)
    }

    @Test func handWrittenStateIsShownNewestBootFirst() async throws {
        let root = try TemporaryDirectory()
        let work = try TemporaryDirectory()
        let config = try work.write("[DEFAULT]\n", to: "agent.conf")
        func analyze(_ extra: [String] = []) async throws -> ProgramResult {
            try await Program.run(
                BuiltProducts.path("guest-agent"), ["analyze"] + extra + ["--config", config, "--root", root.path])
        }
        let none = try await analyze()
        #expect(none.status == 1 && none.standardError.contains("no run recorded in \(root.path)/var/lib/guest-agent"))
        // A last-run.json from before stage times and the boot history: still analyzed.
        _ = try root.write(
            """
            {"dryRun":false,"exitCode":0,"finishedAt":"2026-01-01T10:00:02Z","instanceID":"i-old",
             "plugins":[{"at":"2026-01-01T10:00:00Z","durationMs":5,"plugin":"hostname","status":"done"},
                        {"at":"2026-01-01T10:00:00Z","durationMs":50,"plugin":"users","status":"done"},
                        {"at":"2026-01-01T10:00:01Z","durationMs":20,"plugin":"ssh_keys","status":"done"}],
             "source":"openstack","sourcesTried":[],"startedAt":"2026-01-01T10:00:00Z"}
            """, to: "var/lib/guest-agent/last-run.json")
        let old = try Self.boots(try await analyze(["--json"]))
        #expect(old.count == 1)
        let plugins = try #require(old.first?["plugins"] as? [[String: Any]])
        #expect(plugins.compactMap { $0["plugin"] as? String } == ["users", "ssh_keys", "hostname"])
        #expect(old.first?["durationMs"] as? Int == 2000)
        // A boot history: newest boot first, its stages slowest first.
        _ = try root.write(
            """
            {"boots":[
              {"bootID":"b1","dryRun":false,"exitCode":1,"finishedAt":"2026-01-01T10:00:02Z","plugins":[],
               "sourcesTried":[],"startedAt":"2026-01-01T10:00:00Z"},
              {"bootID":"b2","dryRun":false,"exitCode":0,"finishedAt":"2026-01-02T10:00:03Z","plugins":[],
               "sourcesTried":[],"startedAt":"2026-01-02T10:00:01Z",
               "stages":[
                 {"stage":"local","note":"","exitCode":0,"startedAt":"2026-01-02T10:00:00Z",
                  "durationMs":250,"discoveryMs":10},
                 {"stage":"network","note":"","exitCode":0,"startedAt":"2026-01-02T10:00:01Z",
                  "durationMs":2000}]}]}
            """, to: "var/lib/guest-agent/boots.json")
        let boots = try Self.boots(try await analyze(["--json"]))
        #expect(boots.compactMap { $0["bootID"] as? String } == ["b2", "b1"])
        #expect(boots.first?["durationMs"] as? Int == 2250, "the sum of the stages")
        let stages = try #require(boots.first?["stages"] as? [[String: Any]])
        #expect(stages.compactMap { $0["stage"] as? String } == ["network", "local"])
        #expect(Self.durations(stages) == [2000, 250])
        let text = try await analyze()
        #expect(text.standardOutput.contains("boot b2, no metadata source"))
        #expect(text.standardOutput.contains("2000 ms  network"))
        // A broken history: an error naming the file, nothing else lost.
        _ = try root.write("{\"boots\": 1}", to: "var/lib/guest-agent/boots.json")
        let broken = try await analyze()
        #expect(broken.status == 1)
        #expect(broken.standardError.contains("\(root.path)/var/lib/guest-agent/boots.json"))
        #expect(root.read("var/lib/guest-agent/last-run.json")?.contains("i-old") == true)
    }
}
