import Foundation
import TestSupport
import Testing

/// The real link-local path: the mock server listens on 169.254.169.254:80 inside one
/// network namespace, the agent runs in a second one joined by a veth pair, and the agent
/// uses its default metadata URLs. Traffic never leaves the two namespaces.
@Suite(.serialized) struct LinkLocalNamespaceTests {
    static var canUseNetns: Bool { Program.isRoot && Program.which("ip") != nil }

    /// Two namespaces joined by a veth pair; removed (with the pair) on release.
    final class NamespacePair {
        let server: String
        let client: String
        /// The client's end of the pair.
        let clientLink: String
        /// The server's end (a platform at another address adds it here: Scaleway's 169.254.42.42).
        let serverLink: String

        /// `clientAddressed: false` leaves the client's end without its address: no route
        /// to 169.254.169.254 until `addressClient()` (a NIC still waiting for its lease).
        init(clientAddressed: Bool = true) async throws {
            let suffix = String(UInt32.random(in: 0..<0xFFFFFF), radix: 16)
            server = "gas-\(suffix)"
            client = "gac-\(suffix)"
            clientLink = "vc-\(suffix)"
            serverLink = "vs-\(suffix)"
            var steps: [[String]] = [
                ["netns", "add", server], ["netns", "add", client],
                ["link", "add", "vs-\(suffix)", "type", "veth", "peer", "name", "vc-\(suffix)"],
                ["link", "set", "vs-\(suffix)", "netns", server], ["link", "set", "vc-\(suffix)", "netns", client],
                ["-n", server, "addr", "add", "169.254.169.254/16", "dev", "vs-\(suffix)"],
                ["-n", server, "link", "set", "vs-\(suffix)", "up"],
                ["-n", client, "link", "set", "vc-\(suffix)", "up"],
                ["-n", server, "link", "set", "lo", "up"], ["-n", client, "link", "set", "lo", "up"],
            ]
            if clientAddressed { steps.append(addressStep) }
            for step in steps {
                let result = try await Program.tool("ip", step)
                guard result.status == 0 else {
                    cleanup()
                    throw CocoaError(
                        .fileWriteUnknown,
                        userInfo: [
                            NSLocalizedDescriptionKey: "ip \(step.joined(separator: " ")): \(result.standardError)"
                        ])
                }
            }
        }

        private var addressStep: [String] { ["-n", client, "addr", "add", "169.254.10.2/16", "dev", clientLink] }

        /// Gives the client's end its address: from now on it has a route to the server.
        func addressClient() async throws {
            let result = try await Program.tool("ip", addressStep)
            #expect(result.status == 0, "\(result.standardError)")
        }

        /// Blocks its thread for the two deletions (see `Program.cleanUp`).
        func cleanup() {
            Program.cleanUp("ip", ["netns", "del", server])
            Program.cleanUp("ip", ["netns", "del", client])
        }

        deinit { cleanup() }
    }

    @Test(
        .enabled(if: canUseNetns, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"),
        arguments: ["openstack", "ec2"])
    func agentReachesTheMetadataAddressWithDefaultSettings(source: String) async throws {
        let namespaces = try await NamespacePair()
        let work = try TemporaryDirectory(prefix: "guest-agent-netns")
        let server = try await MockServerProcess(
            fixtures: BuiltProducts.defaultFixtures,
            arguments: source == "ec2" ? ["--imdsv2", "required"] : [],
            prefix: ["/usr/bin/env", "ip", "netns", "exec", namespaces.server],
            bind: "169.254.169.254", port: 80, logDirectory: work.path)
        defer { server.stop() }
        #expect(server.baseURL.absoluteString == "http://169.254.169.254:80")
        let root = try PluginTestContext.makeRoot(users: ["cloud-admin", "cloud-user"])
        // No URL override: only the source list and the plugins are set.
        let config = try work.write("metadata_services = \(source)\nplugins = hostname\n", to: "agent.conf")
        let run = try await Program.tool(
            "ip",
            [
                "netns", "exec", namespaces.client, BuiltProducts.path("guest-agent"), "run",
                "--config", config, "--root", root.path,
            ], timeout: 60)
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        let expected = source == "ec2" ? "ip-10-0-0-5\n" : "demo-instance\n"
        #expect(root.read("etc/hostname") == expected)
        let requests = server.loggedRequests()
        #expect(!requests.isEmpty)
        if source == "ec2" { #expect(requests.contains { $0["method"] as? String == "PUT" }) }
    }

    /// The network stage starts while the NIC has no address yet (its DHCP lease comes
    /// after `network-online.target`; seen booting Debian 12 for real): the agent finds no
    /// route (ENETUNREACH), waits for one, and reads every document once it is there.
    @Test(.enabled(if: canUseNetns, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"))
    func agentWaitsForARouteToTheMetadataService() async throws {
        let namespaces = try await NamespacePair(clientAddressed: false)
        let work = try TemporaryDirectory(prefix: "guest-agent-netns")
        let server = try await MockServerProcess(
            fixtures: BuiltProducts.defaultFixtures,
            prefix: ["/usr/bin/env", "ip", "netns", "exec", namespaces.server],
            bind: "169.254.169.254", port: 80, logDirectory: work.path)
        defer { server.stop() }
        let root = try PluginTestContext.makeRoot(users: ["cloud-admin", "cloud-user"])
        // log_file is a guest path: under --root.
        let log = root.path + "/var/log/guest-agent.log"
        let config = try work.write(
            "metadata_services = openstack\nplugins = hostname, userdata\ndiscovery_timeout = 30\n"
                + "log_file = /var/log/guest-agent.log\n", to: "agent.conf")
        let argv = [
            "netns", "exec", namespaces.client, BuiltProducts.path("guest-agent"), "run", "--config", config,
            "--root", root.path,
        ]
        async let run = Program.tool("ip", argv, timeout: 60)
        // The route comes only once the agent has found none (its log says so), however
        // slowly it starts on a loaded machine.
        var waited = 0
        while waited < 400,
            !((try? String(contentsOfFile: log, encoding: .utf8))?.contains("no route to the metadata service yet")
                ?? false)
        {
            try await Task.sleep(nanoseconds: 50_000_000)
            waited += 1
        }
        try await namespaces.addressClient()
        let result = try await run
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(result.standardError.contains("no route to the metadata service yet"), "\(result.standardError)")
        #expect(root.read("etc/hostname") == "demo-instance\n")
        // The user data (fetched with the other documents) was applied: its write_files entry.
        #expect(root.read("etc/guest-agent-demo/user-data.txt")?.contains("written by demo-instance") == true)
        #expect(server.loggedRequests().contains { ($0["path"] as? String)?.hasSuffix("/user_data") == true })
    }
}
