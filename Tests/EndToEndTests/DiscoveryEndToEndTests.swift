import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct DiscoveryEndToEndTests {
    func run(_ config: String, root: TemporaryDirectory) async throws -> ProgramResult {
        try await Program.run(
            BuiltProducts.path("guest-agent"), ["run", "--config", config, "--root", root.path], timeout: 60)
    }

    func summary(_ config: String, root: TemporaryDirectory) async throws -> [String: Any] {
        let status = try await Program.run(
            BuiltProducts.path("guest-agent"), ["status", "--json", "--config", config, "--root", root.path])
        return try #require(try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
    }

    @Test func theConfigDriveIsPreferredOverTheNetworkWhenBothExist() async throws {
        let work = try TemporaryDirectory()
        let root = try PluginTestContext.makeRoot(users: ["cloud-admin"])
        let drive = try ConfigDriveImages.stage(in: work)
        try FileManager.default.createDirectory(atPath: root.path + "/mnt", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: drive, toPath: root.path + "/mnt/config")
        let server = try await MockServerProcess(fixtures: BuiltProducts.defaultFixtures, logDirectory: work.path)
        let config = try work.write(
            """
            metadata_services = configdrive, openstack
            configdrive_paths = /mnt/config
            metadata_base_url = \(server.baseURL.absoluteString)/
            plugins = hostname
            """, to: "agent.conf")
        let result = try await run(config, root: root)
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(try await summary(config, root: root)["source"] as? String == "configdrive")
        #expect(server.loggedRequests().isEmpty)
    }

    @Test func whenTheFirstSourceFailsTheSecondAnswers() async throws {
        let work = try TemporaryDirectory()
        let root = try PluginTestContext.makeRoot(users: ["cloud-admin"])
        let server = try await MockServerProcess(
            fixtures: BuiltProducts.defaultFixtures,
            arguments: ["--fail-first", "100:/openstack*"], logDirectory: work.path)
        let config = try work.write(
            """
            metadata_services = openstack, ec2
            metadata_base_url = \(server.baseURL.absoluteString)/
            ec2_metadata_base_url = \(server.baseURL.absoluteString)/
            retry_count = 2
            retry_count_interval = 0.05
            plugins = hostname
            """, to: "agent.conf")
        let result = try await run(config, root: root)
        #expect(result.status == 0, "\(result.standardOutput)")
        let summary = try await summary(config, root: root)
        #expect(summary["source"] as? String == "ec2")
        let tried = summary["sourcesTried"] as? [String] ?? []
        #expect(tried.first?.hasPrefix("openstack: HTTP 500 from \(server.baseURL.absoluteString)/openstack") == true)
        #expect(root.read("etc/hostname") == "ip-10-0-0-5\n")
    }

    @Test func aHangingServerCannotHoldTheBootPastTheDeadline() async throws {
        let work = try TemporaryDirectory()
        let root = try TemporaryDirectory()
        let server = try await MockServerProcess(
            fixtures: BuiltProducts.defaultFixtures,
            arguments: ["--hang", "/*"], logDirectory: work.path)
        let config = try work.write(
            """
            metadata_services = openstack, ec2
            metadata_base_url = \(server.baseURL.absoluteString)/
            ec2_metadata_base_url = \(server.baseURL.absoluteString)/
            request_timeout = 30
            discovery_timeout = 3
            """, to: "agent.conf")
        let result = try await run(config, root: root)
        #expect(result.status == 2)
        // A functional bound (the deadline holds), generous enough for a loaded machine.
        #expect(result.elapsed < 20)
        #expect(result.standardOutput.contains("source openstack: gave up when the discovery deadline of 3.0 s passed"))
    }
}
