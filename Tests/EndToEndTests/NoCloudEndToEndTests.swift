import Foundation
import TestSupport
import Testing

/// The built agent finding a NoCloud seed in each kind of place, on a scratch root with
/// `--root`: the seed directory, a URL named on the kernel command line (the mock server on
/// loopback), and a cloud-localds drive named in `nocloud_paths`. Each run applies the host
/// name, the keys and the user data; a second run changes nothing.
@Suite(.serialized) struct NoCloudEndToEndTests {
    static let plugins = "hostname, ssh_keys, userdata"

    static func config(in work: TemporaryDirectory, extra: String = "") async throws -> String {
        try await work.write(
            """
            [DEFAULT]
            metadata_services = nocloud
            retry_count_interval = 0.05
            discovery_timeout = 10
            plugins = \(plugins)
            \(extra)
            """, to: "agent.conf")
    }

    static func statuses(_ root: TemporaryDirectory, config: String) async throws -> [String: String] {
        let status = try await Program.agent(["status", "--json"], config: config, root: root.path)
        let json = try #require(
            try await JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
        var result: [String: String] = [:]
        for row in json["plugins"] as? [[String: Any]] ?? [] {
            result[row["plugin"] as! String] = row["status"] as? String
        }
        return result
    }

    /// Runs the agent twice and checks the instance it configured.
    static func expectConfiguredOnceAndUnchangedAfter(_ root: TemporaryDirectory, config: String) async throws {
        let first = try await Program.agent(["run"], config: config, root: root.path)
        #expect(first.status == 0, "stdout: \(first.standardOutput)\nstderr: \(first.standardError)")
        #expect(root.read("etc/hostname") == "nocloud-demo\n")
        let key = try await String(
            contentsOfFile: BuiltProducts.repository.appendingPathComponent("fixtures/keys/demo_rsa.pub").path,
            encoding: .utf8
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(root.read("home/cloud-user/.ssh/authorized_keys")?.contains(key) == true)
        #expect(root.read("etc/guest-agent-demo/user-data.txt")?.contains("cloud-config write_files") == true)
        #expect(
            try await statuses(root, config: config) == ["hostname": "done", "ssh_keys": "done", "userdata": "done"])

        // Second boot: the per-instance plugins do not run again; user data runs every boot
        // and finds each part already applied for this instance. No file changes.
        let watched = ["etc/hosts", "etc/hostname", "home/cloud-user/.ssh/authorized_keys"]
        let before = watched.map { root.read($0) }
        let writtenBefore = try await root.attributes("etc/guest-agent-demo/user-data.txt")
        let second = try await Program.agent(["run"], config: config, root: root.path)
        #expect(second.status == 0, "\(second.standardError)")
        let again = try await statuses(root, config: config)
        #expect(again["hostname"] == "already-done" && again["ssh_keys"] == "already-done", "\(again)")
        #expect(watched.map { root.read($0) } == before)
        #expect(try await root.attributes("etc/guest-agent-demo/user-data.txt") == writtenBefore)
        #expect(root.read("etc/guest-agent-demo/user-data.txt")?.contains("cloud-config write_files") == true)
    }

    static func query(_ key: String, root: TemporaryDirectory, config: String) async throws -> String {
        try await Program.agent(["query", key], config: config, root: root.path).standardOutput
    }

    @Test func theSeedDirectory() async throws {
        let work = try await TemporaryDirectory()
        let root = try await PluginTestContext.makeRoot()
        try await FileManager.default.createDirectory(
            atPath: root.path + "/var/lib/cloud/seed", withIntermediateDirectories: true)
        try await FileManager.default.copyItem(
            atPath: BuiltProducts.defaultFixtures + "/nocloud", toPath: root.path + "/var/lib/cloud/seed/nocloud")
        let config = try await Self.config(in: work)
        try await Self.expectConfiguredOnceAndUnchangedAfter(root, config: config)
        #expect(try await Self.query("source_location", root: root, config: config) == "/var/lib/cloud/seed/nocloud\n")
        #expect(try await Self.query("source", root: root, config: config) == "nocloud\n")
    }

    @Test func aURLSeedOnTheKernelCommandLine() async throws {
        let work = try await TemporaryDirectory()
        let server = try await MockServerProcess(fixtures: BuiltProducts.defaultFixtures, logDirectory: work.path)
        defer { server.stop() }
        let root = try await PluginTestContext.makeRoot()
        let seed = server.url(for: "nocloud").absoluteString + "/"
        try await root.write("BOOT_IMAGE=/vmlinuz ro ds=nocloud-net;s=\(seed)\n", to: "proc/cmdline")
        let config = try await Self.config(in: work)
        try await Self.expectConfiguredOnceAndUnchangedAfter(root, config: config)
        #expect(try await Self.query("source_location", root: root, config: config) == seed + "\n")
    }

    @Test(.enabled(if: NoCloudSeeds.toolsPresent, "needs cloud-localds, mkfs.vfat and mtools"))
    func aCloudLocaldsDriveNamedInNocloudPaths() async throws {
        let work = try await TemporaryDirectory()
        let root = try await PluginTestContext.makeRoot()
        let stage = try await NoCloudSeeds.stage(in: work)
        try await FileManager.default.createDirectory(atPath: root.path + "/images", withIntermediateDirectories: true)
        try await NoCloudSeeds.cloudLocalds(from: stage, to: root.path + "/images/seed.img", filesystem: "vfat")
        let config = try await Self.config(in: work, extra: "nocloud_paths = /images/missing.img, /images/seed.img")
        try await Self.expectConfiguredOnceAndUnchangedAfter(root, config: config)
        #expect(try await Self.query("source_location", root: root, config: config) == "/images/seed.img\n")
    }
}
