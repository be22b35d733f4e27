import Foundation
import TestSupport
import Testing

/// Issue 12's request budgets, counted in the mock's request log for a whole `run` of the
/// built agent with every default plugin (the network plugin included): EC2 with 2 ENIs and
/// 2 keys (fixtures/ec2-two-nics) in at most 12 requests, OpenStack in at most 6 plus one
/// per injected file. The round trips are checked in `EC2FetchPlanTests`, where they can be
/// counted without timing.
@Suite struct RequestBudgetEndToEndTests {
    /// A whole first-boot run against `fixtures`, returning the server's logged requests.
    static func run(service: String, fixtures: String) async throws -> [[String: Any]] {
        try await runOnRoot(service: service, fixtures: fixtures).requests
    }

    /// The same run, also returning its root; `serverArguments` go to the mock server and
    /// `extraConfig` lines to the `[DEFAULT]` section.
    static func runOnRoot(
        service: String, fixtures: String, serverArguments: [String] = [], extraConfig: String = ""
    ) async throws -> (
        requests: [[String: Any]], root: TemporaryDirectory
    ) {
        let work = try TemporaryDirectory(prefix: "guest-agent-budget")
        let root = try PluginTestContext.makeRoot(users: ["cloud-admin"])
        let server = try await MockServerProcess(
            fixtures: fixtures, arguments: serverArguments, logDirectory: work.path)
        // No `plugins` line: the default list, as the benchmark runs it.
        let config = try work.write(
            """
            [DEFAULT]
            metadata_services = \(service)
            metadata_base_url = \(server.baseURL.absoluteString)/
            ec2_metadata_base_url = \(server.baseURL.absoluteString)/
            retry_count_interval = 0.05
            \(extraConfig)
            """, to: "agent.conf")
        let result = try await Program.run(
            BuiltProducts.path("guest-agent"), ["run", "--config", config, "--root", root.path], timeout: 120)
        // 1 is fine here (a plugin may lack a tool in the scratch root); 2 would mean no metadata.
        #expect(result.status == 0 || result.status == 1, "run: \(result.status) \(result.standardError)")
        server.stop()
        return (server.loggedRequests(), root)
    }

    static func lines(_ requests: [[String: Any]]) -> String {
        requests.map { "\($0["method"] ?? "?") \($0["path"] ?? "?") \($0["status"] ?? "?")" }.joined(separator: "\n")
    }

    @Test func ec2WithTwoENIsAndTwoKeysCostsAtMostTwelveRequests() async throws {
        let fixtures = BuiltProducts.repository.appendingPathComponent("fixtures/ec2-two-nics").path
        let requests = try await Self.run(service: "ec2", fixtures: fixtures)
        let paths = requests.compactMap { $0["path"] as? String }
        // The run did read both ENIs, both keys and the user data: the budget is not met by skipping them.
        for needed in [
            "/latest/meta-data/public-keys/1/openssh-key", "/latest/user-data",
            "/latest/meta-data/network/interfaces/macs/0a:1b:2c:3d:4e:60/local-ipv4s",
        ] {
            #expect(paths.contains(needed), "\(needed) not read:\n\(Self.lines(requests))")
        }
        #expect(requests.count <= 12, "\(requests.count) requests:\n\(Self.lines(requests))")
        #expect(!requests.contains { $0["status"] as? Int == 404 }, "404 probes:\n\(Self.lines(requests))")
    }

    @Test func openStackCostsAtMostSixRequestsPlusOnePerInjectedFile() async throws {
        let fixtures = BuiltProducts.defaultFixtures
        let metaData = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/openstack/latest/meta_data.json"))
        let files = (try JSONSerialization.jsonObject(with: metaData) as? [String: Any])?["files"] as? [Any] ?? []
        #expect(!files.isEmpty, "the default fixtures inject a file")
        let requests = try await Self.run(service: "openstack", fixtures: fixtures)
        #expect(requests.contains { ($0["path"] as? String)?.contains("/content/") == true })
        #expect(requests.count <= 6 + files.count, "\(requests.count) requests:\n\(Self.lines(requests))")
    }

    /// Issue 29: a `public-keys/` listing of 50,000 lines naming the same two keys again and
    /// again costs one request per key (it made 24,154 requests and lost the source before).
    @Test func aListingThatRepeatsItsKeysCostsOneRequestPerKey() async throws {
        let fixtures = BuiltProducts.repository.appendingPathComponent("fixtures/ec2-two-nics").path
        let (requests, root) = try await Self.runOnRoot(
            service: "ec2", fixtures: fixtures,
            serverArguments: ["--repeat-lines", "50000:/latest/meta-data/public-keys"],
            // The scratch root's user (EC2's default admin name is cloud-user).
            extraConfig: "username = cloud-admin")
        let keyReads = requests.compactMap { $0["path"] as? String }.filter { $0.hasSuffix("/openssh-key") }
        #expect(
            keyReads.sorted() == [
                "/latest/meta-data/public-keys/0/openssh-key", "/latest/meta-data/public-keys/1/openssh-key",
            ])
        #expect(requests.count <= 12, "\(requests.count) requests:\n\(Self.lines(requests))")
        let keys = try #require(root.read("home/cloud-admin/.ssh/authorized_keys"))
        #expect(keys.split(separator: "\n").filter { $0.hasPrefix("ssh-") }.count == 2, "\(keys)")
    }
}
