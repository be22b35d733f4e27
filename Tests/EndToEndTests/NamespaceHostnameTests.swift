import Foundation
import TestSupport
import Testing

/// The live host name really set by the agent, inside a UTS namespace, with a private copy
/// of /etc bind-mounted in a mount namespace: this machine's own host name and /etc are
/// never touched.
@Suite(.serialized) struct NamespaceHostnameTests {
    static var canUseNamespaces: Bool { Program.isRoot && Program.which("unshare") != nil }

    @Test(.enabled(if: canUseNamespaces, "needs root and unshare(1): skipped (CI runs as root)"))
    func hostnameIsSetInsideAUTSNamespace() async throws {
        let hostBefore = ProcessInfo.processInfo.hostName
        let hostFileBefore = try String(contentsOfFile: "/etc/hostname", encoding: .utf8)
        let work = try TemporaryDirectory(prefix: "guest-agent-uts")
        #expect(try await Program.tool("cp", ["-a", "/etc", work.path + "/etc"]).status == 0)
        let server = try await MockServerProcess(
            fixtures: BuiltProducts.defaultFixtures,
            logDirectory: work.path)
        let config = try work.write(
            """
            metadata_services = openstack
            metadata_base_url = \(server.baseURL.absoluteString)/
            discovery_timeout = 10
            plugins = hostname
            state_dir = \(work.path)/state
            """, to: "agent.conf")
        // $1 = private /etc copy, $2 = agent, $3 = config. Metadata never reaches this shell.
        let script = "mount --bind \"$1\" /etc && \"$2\" run --config \"$3\" >/dev/null && hostname"
        let result = try await Program.tool(
            "unshare",
            [
                "--uts", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script,
                "sh", work.path + "/etc", BuiltProducts.path("guest-agent"), config,
            ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "demo-instance\n")
        #expect(work.read("etc/hostname") == "demo-instance\n")
        #expect(
            work.read("etc/hosts")?.contains(
                "# BEGIN guest-agent host name\n127.0.1.1\tdemo-instance.novalocal demo-instance\n") == true)
        // This machine is untouched.
        #expect(ProcessInfo.processInfo.hostName == hostBefore)
        #expect(try String(contentsOfFile: "/etc/hostname", encoding: .utf8) == hostFileBefore)
    }
}
