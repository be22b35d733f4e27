import Foundation
import TestSupport
import Testing

/// Scaleway end to end: the built agent in one network namespace, the mock in another at
/// Scaleway's own address (169.254.42.42, default URLs), DMI faked under `--root`. The mock
/// serves user and vendor data only to a source port below 1024 and accepts only afterburn's
/// check-in body, so a run that installs the user data and whose `PATCH /state` the mock
/// answered 200 proves both. The network is rendered on the NIC cloud-init would pick.
@Suite(.serialized) struct ScalewayEndToEndTests {
    static var canUseNetns: Bool { Program.isRoot && Program.which("ip") != nil }

    static func server(_ namespaces: LinkLocalNamespaceTests.NamespacePair, work: TemporaryDirectory) async throws
        -> MockServerProcess
    {
        let added = try await Program.tool(
            "ip", ["-n", namespaces.server, "addr", "add", "169.254.42.42/16", "dev", namespaces.serverLink])
        #expect(added.status == 0, "\(added.standardError)")
        return try await MockServerProcess(
            fixtures: CloudsEndToEndTests.fixtures, prefix: ["/usr/bin/env", "ip", "netns", "exec", namespaces.server],
            bind: "169.254.42.42", port: 80, logDirectory: work.path)
    }

    @Test(.enabled(if: canUseNetns, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"))
    func theInstanceIsConfiguredAndChecksIn() async throws {
        let namespaces = try await LinkLocalNamespaceTests.NamespacePair()
        let work = try TemporaryDirectory(prefix: "guest-agent-scaleway")
        let server = try await Self.server(namespaces, work: work)
        defer { server.stop() }
        let root = try PluginTestContext.makeRoot()
        try root.write("Scaleway\n", to: "sys/class/dmi/id/sys_vendor")
        // The fallback NIC the network is put on: the one with a carrier.
        try root.write("de:00:00:5c:a1:e0\n", to: "sys/class/net/ens2/address")
        try root.write("1\n", to: "sys/class/net/ens2/carrier")
        try root.write("de:00:00:5c:a1:e1\n", to: "sys/class/net/ens3/address")
        let config = try CloudsEndToEndTests.config(in: work, source: "scaleway")

        let result = try await CloudsEndToEndTests.run(namespaces, config: config, root: root.path)
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(root.read("etc/hostname") == "scaleway-demo\n")
        let key = try String(
            contentsOfFile: BuiltProducts.repository.appendingPathComponent("fixtures/keys/demo_rsa.pub").path,
            encoding: .utf8
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        let authorized = root.read("home/cloud-user/.ssh/authorized_keys") ?? ""
        #expect(authorized.contains(key), "\(authorized)")
        #expect(authorized.contains("vendor-data-key"), "\(authorized)")
        #expect(
            root.read("etc/guest-agent-demo/user-data.txt")?.contains("written by scaleway-demo's user data") == true,
            "\(result.standardOutput)")
        // cloud-init 22.4.2's network: DHCPv4 plus the conf's static IPv6 and its default route.
        let netplan = root.read("etc/netplan/50-guest-agent.yaml") ?? result.standardOutput
        for text in [
            "dhcp4: true", "\"2001:db8:1640:1a2b::1/64\"", "via: \"2001:db8:1640:1a2b::\"", "de:00:00:5c:a1:e0",
        ] {
            #expect(netplan.contains(text), "\(text) not in:\n\(netplan)")
        }
        #expect(!netplan.contains("de:00:00:5c:a1:e1"), "only the fallback NIC: \(netplan)")
        let log = server.loggedRequests()
        let statuses = Dictionary(
            log.compactMap { entry -> (String, Int)? in
                guard let method = entry["method"] as? String, let path = entry["path"] as? String,
                    let status = entry["status"] as? Int
                else { return nil }
                return ("\(method) \(path)", status)
            }, uniquingKeysWith: { $1 })
        #expect(statuses["GET /conf"] == 200, "\(log)")
        #expect(statuses["GET /user_data/cloud-init"] == 200, "served only to a reserved port: \(log)")
        #expect(statuses["GET /vendor_data/cloud-init"] == 200, "\(log)")
        #expect(statuses["PATCH /state"] == 200, "the check-in: \(log)")
    }

    /// The same service at the same address, but no Scaleway DMI: nothing is asked, no
    /// check-in, and the run ends at once.
    @Test(.enabled(if: canUseNetns, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"))
    func withoutItsDMISignalScalewayIsNeitherAskedNorAwaited() async throws {
        let namespaces = try await LinkLocalNamespaceTests.NamespacePair()
        let work = try TemporaryDirectory(prefix: "guest-agent-scaleway")
        let server = try await Self.server(namespaces, work: work)
        defer { server.stop() }
        let root = try PluginTestContext.makeRoot()
        try root.write("QEMU\n", to: "sys/class/dmi/id/sys_vendor")
        let config = try CloudsEndToEndTests.config(in: work, source: "scaleway")
        let result = try await CloudsEndToEndTests.run(namespaces, config: config, root: root.path)
        let elapsed = result.elapsed
        #expect(result.status == 2, "\(result.standardOutput)\n\(result.standardError)")
        // A functional bound, not a benchmark: a source that waited would end at the 20 s
        // deadline. The agent's own run time, from its start: a wall clock taken around the
        // call also counted the wait for a program slot in a parallel run (18 s once).
        #expect(elapsed < 15, "took \(elapsed) s with a 20 s deadline")
        #expect(server.loggedRequests().isEmpty, "\(server.loggedRequests())")
    }

    /// The mock's rule that the end-to-end run relies on: user data to an ordinary source
    /// port is refused (what makes the 200 above a proof of the reserved port).
    @Test func theMockRefusesUserDataToAnUnprivilegedPort() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-scaleway")
        let server = try await MockServerProcess(fixtures: CloudsEndToEndTests.fixtures, logDirectory: work.path)
        defer { server.stop() }
        let script = """
            import sys, urllib.request, urllib.error
            try:
                print(urllib.request.urlopen(sys.argv[1], timeout=10).status)
            except urllib.error.HTTPError as error:
                print(error.code)
            """
        let url = server.url(for: "user_data/cloud-init").absoluteString
        let answer = try await Program.tool("python3", ["-c", script, url])
        #expect(answer.standardOutput == "403\n", "\(answer.standardError)")
    }
}
