import Foundation
import TestSupport
import Testing

/// The built agent on a CloudStack instance: the virtual router is a network namespace whose
/// end of a veth pair holds the router's address, with the mock serving the metadata on port
/// 80 and the password server on 8080; the agent runs in a second namespace with a scratch
/// root (`--root`) whose DMI says CloudStack and whose dhclient lease names the router. The
/// password is set (the real chpasswd; its hash checked with crypt) and acknowledged only
/// after; the next boot finds nothing new and changes nothing; a reset in the cloud's UI is
/// applied at the boot after it.
@Suite(.serialized) struct CloudStackEndToEndTests {
    static var enabled: Bool { FirstBootEndToEndTests.enabled && Program.which("ip") != nil }
    static let router = "10.1.1.1"
    static let fixtures = BuiltProducts.repository.appendingPathComponent("fixtures/cloudstack").path
    static let user = "cloud-user"

    /// Two namespaces joined by a veth pair: the router's (10.1.1.1/24) and the guest's
    /// (10.1.1.50/24), or the addresses given (SlapOS: QEMU's 10.0.2.100 and 10.0.2.15).
    final class Network {
        let routerNamespace: String
        let guestNamespace: String

        init(router: String = CloudStackEndToEndTests.router, guest: String = "10.1.1.50") async throws {
            let suffix = String(UInt32.random(in: 0..<0xFFFFFF), radix: 16)
            routerNamespace = "gcr-\(suffix)"
            guestNamespace = "gcg-\(suffix)"
            let steps: [[String]] = [
                ["netns", "add", routerNamespace], ["netns", "add", guestNamespace],
                ["link", "add", "vr-\(suffix)", "type", "veth", "peer", "name", "vg-\(suffix)"],
                ["link", "set", "vr-\(suffix)", "netns", routerNamespace],
                ["link", "set", "vg-\(suffix)", "netns", guestNamespace],
                ["-n", routerNamespace, "addr", "add", "\(router)/24", "dev", "vr-\(suffix)"],
                ["-n", guestNamespace, "addr", "add", "\(guest)/24", "dev", "vg-\(suffix)"],
                ["-n", routerNamespace, "link", "set", "vr-\(suffix)", "up"],
                ["-n", guestNamespace, "link", "set", "vg-\(suffix)", "up"],
                ["-n", routerNamespace, "link", "set", "lo", "up"], ["-n", guestNamespace, "link", "set", "lo", "up"],
            ]
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

        var inRouter: [String] { ["/usr/bin/env", "ip", "netns", "exec", routerNamespace] }

        func cleanup() {
            Program.cleanUp("ip", ["netns", "del", routerNamespace])
            Program.cleanUp("ip", ["netns", "del", guestNamespace])
        }

        deinit { cleanup() }
    }

    struct Instance {
        let network: Network
        let work: TemporaryDirectory
        let root: TemporaryDirectory
        let metadata: MockServerProcess
        let config: String

        func boot() async throws -> ProgramResult {
            try await Program.tool(
                "ip",
                [
                    "netns", "exec", network.guestNamespace, BuiltProducts.path("guest-agent"), "run", "--config",
                    config, "--root", root.path,
                ], timeout: 120)
        }

        /// The password server on the router's port 8080, handing out `password` until acknowledged.
        func passwordServer(_ password: String, logName: String) async throws -> MockServerProcess {
            let logs = work.path + "/" + logName
            try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
            return try await MockServerProcess(
                fixtures: CloudStackEndToEndTests.fixtures, arguments: ["--cloudstack-password", password],
                prefix: network.inRouter, bind: CloudStackEndToEndTests.router, port: 8080, logDirectory: logs)
        }

        var shadowHash: String? { FirstBootEndToEndTests.shadowHash(root, user: CloudStackEndToEndTests.user) }
        var log: String { root.read("var/log/guest-agent.log") ?? "" }
    }

    static func instance(product: String = "CloudStack KVM Hypervisor") async throws -> Instance {
        let network = try await Network()
        let work = try TemporaryDirectory(prefix: "guest-agent-cloudstack")
        let root = try UsersRealToolsRoot.make()
        try root.write(product + "\n", to: "sys/class/dmi/id/product_name")
        try root.write(
            """
            lease {
              interface "eth0";
              fixed-address 10.1.1.50;
              option subnet-mask 255.255.255.0;
              option routers \(router);
              option dhcp-server-identifier \(router);
              renew 1 2026/12/07 21:00:00;
            }

            """, to: "var/lib/dhcp/dhclient.eth0.leases")
        let metadataLogs = work.path + "/metadata"
        try FileManager.default.createDirectory(atPath: metadataLogs, withIntermediateDirectories: true)
        let metadata = try await MockServerProcess(
            fixtures: fixtures, prefix: network.inRouter, bind: router, port: 80, logDirectory: metadataLogs)
        let config = try work.write(
            """
            [DEFAULT]
            metadata_services = cloudstack
            discovery_timeout = 20
            retry_count_interval = 0.05
            plugins = hostname, users, platform_password, ssh_keys, userdata
            log_file = /var/log/guest-agent.log
            """, to: "agent.conf")
        return Instance(network: network, work: work, root: root, metadata: metadata, config: config)
    }

    static func passwordRequests(_ server: MockServerProcess) -> [String] {
        server.loggedRequests().compactMap { $0["domuRequest"] as? String }
    }

    @Test(.enabled(if: enabled, "needs root, iproute2, useradd and chpasswd: skipped (CI runs as root)"))
    func thePasswordIsSetThenAcknowledgedAndTheNextBootChangesNothing() async throws {
        let instance = try await Self.instance()
        let passwords = try await instance.passwordServer("Cs-Reset-1 x", logName: "password-1")
        let first = try await instance.boot()
        #expect(first.status == 0, "stdout: \(first.standardOutput)\nstderr: \(first.standardError)")
        #expect(instance.root.read("etc/hostname") == "cs-demo\n")
        let keys = instance.root.read("home/\(Self.user)/.ssh/authorized_keys") ?? ""
        let ed25519 = try String(
            contentsOf: FirstBootEndToEndTests.keys.appendingPathComponent("demo_ed25519.pub"), encoding: .utf8)
        #expect(keys.contains(ed25519.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(instance.log.contains("cloudstack demo user data ran"))
        #expect(try await OpenNebulaEndToEndTests.verifies("Cs-Reset-1 x", instance.shadowHash))
        // Asked, then acknowledged once the shadow held it.
        #expect(Self.passwordRequests(passwords) == ["send_my_password", "saved_password"])
        #expect(!instance.log.contains("Cs-Reset-1"), "the password reached the log")
        let state = try FileManager.default.subpathsOfDirectory(atPath: instance.root.path + "/var/lib/guest-agent")
            .compactMap { instance.root.read("var/lib/guest-agent/" + $0) }.joined()
        #expect(!state.contains("Cs-Reset-1"), "the password reached the state")

        // The next boot: the server answers saved_password; nothing changes, nothing is acknowledged.
        let watched = ["etc/passwd", "etc/shadow", "etc/hostname", "home/\(Self.user)/.ssh/authorized_keys"]
        let before = watched.map { instance.root.read($0) }
        let second = try await instance.boot()
        #expect(second.status == 0, "\(second.standardError)")
        #expect(watched.map { instance.root.read($0) } == before)
        #expect(Self.passwordRequests(passwords) == ["send_my_password", "saved_password", "send_my_password"])

        // A reset in the cloud's UI: the next boot sets the new password and acknowledges it.
        passwords.stop()
        let reset = try await instance.passwordServer("Cs-Reset-2", logName: "password-2")
        let third = try await instance.boot()
        #expect(third.status == 0, "\(third.standardError)")
        #expect(try await OpenNebulaEndToEndTests.verifies("Cs-Reset-2", instance.shadowHash))
        #expect(Self.passwordRequests(reset) == ["send_my_password", "saved_password"])
    }

    @Test(.enabled(if: enabled, "needs root, iproute2, useradd and chpasswd: skipped (CI runs as root)"))
    func aPasswordThatCannotBeSetIsNeverAcknowledgedAndTheKeysApply() async throws {
        let instance = try await Self.instance()
        let passwords = try await instance.passwordServer("bad:password", logName: "password")
        let run = try await instance.boot()
        #expect(run.status == 1, "stdout: \(run.standardOutput)\nstderr: \(run.standardError)")
        #expect(instance.root.read("home/\(Self.user)/.ssh/authorized_keys")?.isEmpty == false)
        #expect(instance.shadowHash?.hasPrefix("$") != true)
        // Not acknowledged: the server keeps it for the next boot.
        #expect(Self.passwordRequests(passwords) == ["send_my_password"])
    }

    @Test(.enabled(if: enabled, "needs root, iproute2, useradd and chpasswd: skipped (CI runs as root)"))
    func anotherPlatformIsNotWaitedOn() async throws {
        let instance = try await Self.instance(product: "Standard PC (Q35 + ICH9, 2009)")
        let passwords = try await instance.passwordServer("unused", logName: "password")
        let started = Date()
        let run = try await instance.boot()
        #expect(run.status == 2, "stdout: \(run.standardOutput)\nstderr: \(run.standardError)")
        #expect(Date().timeIntervalSince(started) < 10, "discovery waited on an absent platform")
        #expect(instance.metadata.loggedRequests().isEmpty)
        #expect(passwords.loggedRequests().isEmpty)
    }
}
