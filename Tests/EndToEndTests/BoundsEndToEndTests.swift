import Foundation
import TestSupport
import Testing

/// Issue 29 with the built agent: hostile inputs cost time and memory in proportion to
/// their size and within the discovery deadline, and an unusable optional document costs
/// only the plugin that needs it.
@Suite(.serialized) struct BoundsEndToEndTests {
    typealias Reliability = ReliabilityEndToEndTests

    /// An environment that reads only a config drive at `/drive` under the root.
    static func driveEnvironment(discoveryTimeout: Int) async throws -> AgentEndToEndTests.Environment {
        try await Reliability.environment(
            "hostname",
            extra:
                "metadata_services = configdrive\nconfigdrive_paths = /drive\ndiscovery_timeout = \(discoveryTimeout)")
    }

    // 1: a drive whose Rock Ridge continuation areas loop ends at once, named.
    @Test func aDriveWhoseContinuationAreasLoopFailsFastAndNamed() async throws {
        let env = try await Self.driveEnvironment(discoveryTimeout: 5)
        let drive = env.root.path + "/drive"
        try Data(RockRidgeImage.continuationLoop(records: 20000)).write(to: URL(fileURLWithPath: drive))
        let (run, elapsed, _, _) = try await Reliability.timedRun(env, ["run"])
        #expect(run.status == 2, "\(run.standardOutput)")
        #expect(elapsed < 5, "took \(elapsed) s")
        #expect(run.standardOutput.contains("configdrive: \(drive) is damaged"), "\(run.standardOutput)")
        #expect(run.standardOutput.contains("loop"), "\(run.standardOutput)")
    }

    // 1: a drive whose reads block is given up at the discovery deadline, named.
    @Test func aBlockedDriveIsGivenUpAtTheDiscoveryDeadline() async throws {
        let env = try await Self.driveEnvironment(discoveryTimeout: 2)
        let drive = env.root.path + "/drive"
        // A FIFO nobody writes to: opening it blocks, as reading a hung device does.
        try #require(mkfifo(drive, 0o600) == 0)
        let run = try await env.agent(["run"], timeout: 30)
        let elapsed = run.elapsed
        #expect(run.status == 2, "\(run.standardOutput)\n\(run.standardError)")
        // Each of the two stages looks for the drive once, under its own deadline.
        #expect(elapsed < 2 * 2 + 2, "took \(elapsed) s against a 2 s deadline per stage")
        #expect(
            run.standardOutput.contains("configdrive: gave up when the discovery deadline of 2.0 s passed"),
            "\(run.standardOutput)")
        #expect(run.standardOutput.contains(drive), "the drive is named: \(run.standardOutput)")
    }

    // 2: 5,000 levels of multipart (300 KB) fail the userdata plugin at once, in little memory.
    @Test func deeplyNestedUserDataFailsFastInMemoryProportionalToItsSize() async throws {
        let env = try await Reliability.environment("userdata")
        try NestedMultipart.data(levels: 5000).write(
            to: URL(fileURLWithPath: env.fixtures + "/openstack/latest/user_data"))
        let (run, elapsed, _, peakKiB) = try await Reliability.timedRun(env, ["run"])
        let (_, _, _, baselineKiB) = try await Reliability.timedRun(
            try await Reliability.environment("userdata"), ["run"])
        #expect(run.status == 1, "\(run.standardOutput)\n\(run.standardError)")
        #expect(run.standardOutput.contains("nests more than 8 levels"), "\(run.standardOutput)")
        #expect(elapsed < 10, "took \(elapsed) s")
        #expect(
            peakKiB <= 2 * baselineKiB + 20 * 1024,
            "peak RSS \(peakKiB) KiB against \(baselineKiB) KiB with the fixture's user data")
    }

    // 4: 10 MiB of user data cost the userdata plugin only; the instance is reachable.
    @Test(.enabled(if: FirstBootEndToEndTests.enabled, "needs root, useradd and chpasswd: skipped (CI runs as root)"))
    func anOversizedUserDataFailsOnlyTheUserdataPlugin() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-bigud")
        let fixtures = work.path + "/fixtures"
        try FileManager.default.copyItem(atPath: BuiltProducts.defaultFixtures, toPath: fixtures)
        try Data(String(repeating: "echo 0123456789abcdef\n", count: (10 << 20) / 22).utf8).write(
            to: URL(fileURLWithPath: fixtures + "/openstack/latest/user_data"))
        let setup = try await FirstBootEndToEndTests.setup(fixtures: fixtures)
        let run = try await setup.agent(["run"])
        #expect(run.status == 1, "\(run.standardOutput)\n\(run.standardError)")
        let status = try await setup.agent(["status", "--json"])
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
        let statuses = AgentEndToEndTests.pluginStatuses(json)
        for plugin in ["hostname", "users", "ssh_keys", "password"] {
            #expect(statuses[plugin] == "done", "\(plugin): \(statuses)")
        }
        #expect(statuses["userdata"] == "failed", "\(statuses)")
        let rows = json["plugins"] as? [[String: Any]] ?? []
        let error = rows.first { $0["plugin"] as? String == "userdata" }?["error"] as? String ?? ""
        #expect(error.contains("user data") && error.contains("exceeds the 1048576-byte limit"), "\(error)")
        #expect(setup.root.read("etc/hostname") == "demo-instance\n")
        #expect(setup.root.read("home/cloud-admin/.ssh/authorized_keys")?.contains("ssh-rsa ") == true)
        #expect(try await !FirstBootEndToEndTests.postedPassword(setup.server).isEmpty, "the password was published")
    }
}
