import Foundation
import TestSupport
import Testing

/// The built agent on a SlapOS KVM instance with `enable-http-server`: the host's web server
/// is the mock in a network namespace holding QEMU's 10.0.2.100, serving SlapOS's public
/// files (fixtures/clouds/slapos); the agent runs in a second namespace (QEMU's guest address
/// 10.0.2.15) on a chroot scratch root, so the bootstrap script really runs under bash. The
/// host name, the admin user's keys and the script land, `data` is what `query` prints, and
/// a second boot runs the script no more. Without `slapos` in `metadata_services` nothing
/// asks 10.0.2.100 anything.
@Suite(.serialized) struct SlapOSEndToEndTests {
    static var enabled: Bool { CloudStackEndToEndTests.enabled }
    static let server = "10.0.2.100"
    static let fixtures = BuiltProducts.repository.appendingPathComponent("fixtures/clouds").path

    struct Instance {
        let network: CloudStackEndToEndTests.Network
        let work: TemporaryDirectory
        let metadata: MockServerProcess

        /// `guest-agent ARGUMENTS --config CONFIG --root ROOT` in the guest's namespace.
        func agent(_ arguments: [String], config: String, root: String) async throws -> ProgramResult {
            try await Program.tool(
                "ip",
                ["netns", "exec", network.guestNamespace, BuiltProducts.path("guest-agent")] + arguments + [
                    "--config", config, "--root", root,
                ], timeout: 120)
        }

        var askedPaths: [String] { metadata.loggedRequests().compactMap { $0["path"] as? String } }
    }

    static func instance() async throws -> Instance {
        let network = try await CloudStackEndToEndTests.Network(router: server, guest: "10.0.2.15")
        let work = try TemporaryDirectory(prefix: "guest-agent-slapos")
        let metadata = try await MockServerProcess(
            fixtures: fixtures, prefix: network.inRouter, bind: server, port: 80, logDirectory: work.path)
        return Instance(network: network, work: work, metadata: metadata)
    }

    static func key(_ name: String) throws -> String {
        try String(contentsOf: FirstBootEndToEndTests.keys.appendingPathComponent(name), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: enabled && Program.isRoot, "needs root (netns, bind mount, chroot): skipped; CI runs as root"))
    func theServedFilesConfigureTheInstanceAndTheBootstrapScriptRunsOnce() async throws {
        let instance = try await Self.instance()
        defer { instance.metadata.stop() }
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let config = try instance.work.write(
            """
            [DEFAULT]
            metadata_services = slapos
            discovery_timeout = 20
            retry_count_interval = 0.05
            plugins = hostname, users, ssh_keys, userdata
            log_file = /var/log/guest-agent.log
            """, to: "agent.conf")

        let first = try await instance.agent(["run"], config: config, root: root.path)
        #expect(first.status == 0, "stdout: \(first.standardOutput)\nstderr: \(first.standardError)")
        #expect(root.directory.read("etc/hostname") == "slap-demo\n")
        let keys = root.directory.read("home/cloud-user/.ssh/authorized_keys") ?? ""
        let (rsa, ed25519) = (try Self.key("demo_rsa.pub"), try Self.key("demo_ed25519.pub"))
        #expect(keys.contains(rsa) && keys.contains(ed25519), "\(keys)")
        #expect(root.directory.read("root/slapos-bootstrap-ran") == "slapos bootstrap ran by bash\n")
        #expect(Set(instance.askedPaths).isSuperset(of: ["/hostname", "/authorized_keys", "/data", "/vm-bootstrap"]))

        let data = try await instance.agent(["query", "--json", "meta.slapos_data"], config: config, root: root.path)
        #expect(data.status == 0, "\(data.standardError)")
        #expect(data.standardOutput == "\"data\\nto\\nvm\"\n", "\(data.standardOutput)")
        let source = try await instance.agent(["query", "source_location"], config: config, root: root.path)
        #expect(source.standardOutput == "http://10.0.2.100/\n")

        let second = try await instance.agent(["run"], config: config, root: root.path)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(root.directory.read("root/slapos-bootstrap-ran") == "slapos bootstrap ran by bash\n", "ran twice")
    }

    @Test(.enabled(if: enabled, "needs root and iproute2 for network namespaces: skipped (CI runs as root)"))
    func withoutSlaposListedNothingIsAsked() async throws {
        let instance = try await Self.instance()
        defer { instance.metadata.stop() }
        let root = try PluginTestContext.makeRoot()
        // The default metadata_services, with a short deadline: the HTTP clouds have no route here.
        let config = try instance.work.write(
            "[DEFAULT]\ndiscovery_timeout = 3\nplugins = hostname, ssh_keys\n", to: "default.conf")
        let run = try await instance.agent(["run"], config: config, root: root.path)
        #expect(run.status == 2, "stdout: \(run.standardOutput)\nstderr: \(run.standardError)")
        #expect(instance.askedPaths.isEmpty, "\(instance.askedPaths)")
        #expect(root.read("etc/hostname") == nil)
        #expect(!run.standardOutput.contains("slapos"), "\(run.standardOutput)")
    }
}
