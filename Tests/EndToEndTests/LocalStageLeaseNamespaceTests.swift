import Foundation
import TestSupport
import Testing

/// The local stage without a config drive, as at a real first boot with nova over HTTP: the
/// guest's NIC is down and has no address; a real DHCP server (dnsmasq) and the mock metadata
/// server at 169.254.169.254 sit on the far side of a veth pair, in a namespace of their
/// own. The built agent runs on the live root (`/`) inside the guest's namespace, with a
/// private copy of /etc bind-mounted in a mount namespace: it gets a lease with its own
/// DHCP client, reads nova, writes the network files before any network stack starts, and
/// leaves the NIC as it found it. Nothing reaches this machine's network, /etc or daemons.
@Suite(.serialized) struct LocalStageLeaseNamespaceTests {
    static var canRun: Bool {
        Program.isRoot && ["ip", "unshare", "dnsmasq"].allSatisfy { Program.which($0) != nil }
    }

    /// The MAC of the fixtures' network_data.json link, so the network plugin finds the NIC.
    static let mac = "fa:16:3e:12:34:56"

    struct Setup {
        let guest: NetworkNamespace
        let server: NetworkNamespace
        let work: TemporaryDirectory
        let metadata: MockServerProcess
        let config: String

        /// `guest-agent run ARGUMENTS` inside the guest's namespace, on `/` with /etc the
        /// private copy.
        func agent(_ arguments: [String], timeout: Double = 90) async throws -> ProgramResult {
            let script = "mount --bind \"$1\" /etc && shift && exec \"$@\""
            return try await guest.run(
                [
                    "unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh",
                    work.path + "/etc", BuiltProducts.path("guest-agent"),
                ] + arguments + ["--config", config], timeout: timeout)
        }

        /// "plugin stage status" for every row of `status --json`.
        func pluginRows() async throws -> [String] {
            let status = try await Program.agent(["status", "--json"], config: config, root: "/")
            let json = try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any]
            return (json?["plugins"] as? [[String: Any]] ?? []).map {
                "\($0["plugin"] ?? "") \($0["stage"] ?? "") \($0["status"] ?? "")"
            }
        }

        /// What the guest's NIC has: "UP"/"DOWN" (administrative state), its IPv4 addresses
        /// and every IPv4 route of the namespace.
        func nicState() async throws -> (up: Bool, addresses: [String], routes: [String]) {
            let link = try await guest.json(["link", "show", "dev", "ens3"]).first ?? [:]
            let flags = link["flags"] as? [String] ?? []
            let addresses = try await guest.addresses(of: "ens3", family: "inet")
            let routes = try await guest.json(["-4", "route", "show", "table", "all"]).map {
                "\($0["dst"] ?? "") \($0["gateway"] ?? "")"
            }.filter { !$0.hasPrefix("127.") && !$0.contains("local") && !$0.hasPrefix("broadcast") }
            return (flags.contains("UP"), addresses, routes)
        }
    }

    static func setup(
        discoveryTimeout: Int, source: String = "openstack", mac: String = mac, serverArguments: [String] = []
    ) async throws -> Setup {
        let guest = try await NetworkNamespace(prefix: "gdl")
        let server = try await NetworkNamespace(prefix: "gds")
        try await guest.addVeth("ens3", mac: mac, peer: server, peerName: "dsrv0")
        try await server.ip(["addr", "add", "10.99.0.1/24", "dev", "dsrv0"])
        try await server.ip(["addr", "add", "169.254.169.254/32", "dev", "dsrv0"])
        // The instance's gateway in network_data.json, for the network stage once the
        // static network is up.
        try await server.ip(["addr", "add", "10.0.0.1/24", "dev", "dsrv0"])
        try await server.ip(["link", "set", "dsrv0", "up"])
        let work = try TemporaryDirectory(prefix: "guest-agent-lease")
        #expect(try await Program.tool("cp", ["-a", "/etc", work.path + "/etc"]).status == 0)
        let metadata = try await MockServerProcess(
            fixtures: BuiltProducts.defaultFixtures, arguments: serverArguments,
            prefix: ["/usr/bin/env", "ip", "netns", "exec", server.name],
            bind: "169.254.169.254", port: 80, logDirectory: work.path)
        let config = try work.write(
            """
            metadata_services = configdrive, \(source)
            configdrive_paths = /nonexistent-config-drive
            plugins = network
            network_renderer = networkd
            discovery_timeout = \(discoveryTimeout)
            state_dir = \(work.path)/state
            # This machine's DMI names no platform (auto would not lease): the VM boot test
            # proves auto with QEMU's SMBIOS saying OpenStack Nova.
            local_stage_dhcp = always
            """, to: "agent.conf")
        return Setup(guest: guest, server: server, work: work, metadata: metadata, config: config)
    }

    /// dnsmasq, DHCP only, on the server's end of the pair, with no configuration file, its
    /// leases, log and pid file in `work`; it puts itself in the background (its standard
    /// files on /dev/null, so the test's pipes close) and `stopDHCPServer` ends it by its pid.
    ///
    /// Why not a child kept by the test (`--no-daemon` under `Program.start`): run that way,
    /// the test's next `ip` command was never seen to end (the test hung; the cause was not
    /// pinned down).
    static func startDHCPServer(_ setup: Setup) async throws -> Int32 {
        let pidFile = setup.work.path + "/dnsmasq.pid"
        let argv = [
            "dnsmasq", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=0", "--interface=dsrv0",
            "--bind-interfaces", "--dhcp-range=10.99.0.50,10.99.0.60,255.255.255.0,5m",
            "--dhcp-option=option:router,10.99.0.1", "--dhcp-leasefile=\(setup.work.path)/dnsmasq.leases",
            "--user=root", "--group=root", "--log-dhcp", "--log-facility=\(setup.work.path)/dnsmasq.log",
            "--pid-file=\(pidFile)",
        ]
        let started = try await setup.server.run(
            ["/bin/sh", "-c", "exec \"$@\" </dev/null >/dev/null 2>&1", "sh"] + argv, timeout: 30)
        #expect(started.status == 0, "dnsmasq: \(started.standardError)")
        let pid = Int32(setup.work.read("dnsmasq.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        try #require(pid > 0, "dnsmasq wrote no pid file")
        return pid
    }

    /// Ends dnsmasq and waits (up to 5 s) until it is gone. Blocking, for `defer`. SIGTERM
    /// first; SIGKILL after 1 s, because a program started from the test process inherits
    /// its signal mask, in which SIGTERM is blocked (seen: a dnsmasq left running).
    static func stopDHCPServer(_ pid: Int32) {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        for _ in 0..<20 where kill(pid, 0) == 0 { usleep(50_000) }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        for _ in 0..<80 where kill(pid, 0) == 0 { usleep(50_000) }
    }

    @Test(.enabled(if: canRun, "needs root, iproute2, unshare and dnsmasq (scripts/setup.sh installs dnsmasq-base)"))
    func theLocalStageReadsNovaOverALeaseAndLeavesTheNICAsItWas() async throws {
        let setup = try await Self.setup(discoveryTimeout: 30)
        defer { setup.metadata.stop() }
        let dnsmasq = try await Self.startDHCPServer(setup)
        defer { Self.stopDHCPServer(dnsmasq) }
        let before = try await setup.nicState()
        #expect(before.up == false && before.addresses.isEmpty && before.routes.isEmpty, "\(before)")

        let local = try await setup.agent(["run", "--stage", "local"])
        #expect(local.status == 0, "\(local.standardOutput)\n\(local.standardError)")
        #expect(local.standardError.contains("DHCP lease for reading the metadata service"), "\(local.standardError)")
        #expect(local.standardError.contains("10.99.0.5") || local.standardError.contains("10.99.0.6"))
        // A real exchange with dnsmasq: it acknowledged our MAC.
        let dhcpLog = setup.work.read("dnsmasq.log") ?? ""
        #expect(dhcpLog.contains("DHCPACK(dsrv0)") && dhcpLog.contains(Self.mac), "\(dhcpLog)")
        // nova was read over the lease, the network description included.
        let paths = setup.metadata.loggedRequests().compactMap { $0["path"] as? String }
        #expect(paths.contains { $0.hasSuffix("/network_data.json") }, "\(paths)")
        // The files are in place before any network stack starts...
        let file = setup.work.read("etc/systemd/network/10-guest-agent-ens3.network") ?? ""
        #expect(file.contains("Address=10.0.0.5/24"), "\(file)")
        // ...and nothing of the lease is left: no address, no route, the NIC down again.
        let after = try await setup.nicState()
        #expect(after.up == false, "\(after)")
        #expect(after.addresses.isEmpty, "\(after)")
        #expect(after.routes.isEmpty, "\(after)")
        // The local stage ran the network plugin for this instance, in this boot.
        #expect(try await setup.pluginRows() == ["network local done"])

        // The network starts: systemd-networkd reads the files the local stage wrote and
        // brings the static address of network_data.json up (the first boot's network), and
        // the network stage reads nova through it, but does not redo the network plugin.
        let needles = ["10.0.0.5/24", "default via 10.0.0.1"]
        if NetworkDaemons.networkdPresent {
            let up = try await NetworkDaemons.networkd(
                in: setup.guest, directory: setup.work.path + "/etc/systemd/network", until: needles)
            #expect(up.status == 0, "\(up.standardOutput)\n\(up.standardError)")
        } else {
            // No networkd on this machine: the same address and route by hand.
            try await setup.guest.ip(["link", "set", "ens3", "up"])
            try await setup.guest.ip(["addr", "add", "10.0.0.5/24", "dev", "ens3"])
            try await setup.guest.ip(["route", "add", "default", "via", "10.0.0.1"])
        }
        #expect(try await setup.guest.addresses(of: "ens3", family: "inet") == ["10.0.0.5/24"])
        let network = try await setup.agent(["run", "--stage", "network"])
        #expect(network.status == 0, "\(network.standardOutput)\n\(network.standardError)")
        #expect(!network.standardError.contains("DHCP lease"), "\(network.standardError)")
        #expect(paths.count < setup.metadata.loggedRequests().count, "the network stage reads nova itself")
        // The boot's record still shows the local stage's run, and no second one.
        #expect(try await setup.pluginRows() == ["network local done"])
    }

    /// EC2 the same way, IMDSv2 required (the token PUT goes over the lease too): the
    /// fixtures' ENI MAC on the NIC, its files written, the NIC left as it was.
    @Test(.enabled(if: canRun, "needs root, iproute2, unshare and dnsmasq (scripts/setup.sh installs dnsmasq-base)"))
    func theLocalStageReadsIMDSOverALease() async throws {
        let setup = try await Self.setup(
            discoveryTimeout: 30, source: "ec2", mac: "0a:1b:2c:3d:4e:5f", serverArguments: ["--imdsv2", "required"])
        defer { setup.metadata.stop() }
        let dnsmasq = try await Self.startDHCPServer(setup)
        defer { Self.stopDHCPServer(dnsmasq) }
        let local = try await setup.agent(["run", "--stage", "local"])
        #expect(local.status == 0, "\(local.standardOutput)\n\(local.standardError)")
        #expect(local.standardError.contains("DHCP lease for reading the metadata service"), "\(local.standardError)")
        let requests = setup.metadata.loggedRequests()
        #expect(requests.contains { $0["method"] as? String == "PUT" }, "\(requests)")
        let file = setup.work.read("etc/systemd/network/10-guest-agent-ens3.network") ?? ""
        #expect(file.contains("DHCP="), "\(file)")
        let after = try await setup.nicState()
        #expect(after.up == false && after.addresses.isEmpty && after.routes.isEmpty, "\(after)")
        #expect(try await setup.pluginRows() == ["network local done"])
    }

    /// No DHCP server answers: the local stage gives up at the discovery deadline, says why,
    /// writes nothing and leaves the NIC as it was.
    @Test(.enabled(if: canRun, "needs root, iproute2, unshare and dnsmasq (scripts/setup.sh installs dnsmasq-base)"))
    func withoutADHCPServerTheLocalStageEndsAtTheDeadlineAndLeavesNothing() async throws {
        let setup = try await Self.setup(discoveryTimeout: 4)
        defer { setup.metadata.stop() }
        let started = Date()
        let local = try await setup.agent(["run", "--stage", "local"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(local.status == 0, "\(local.standardOutput)\n\(local.standardError)")
        #expect(
            local.standardError.contains("no DHCP server answered (waiting for DHCPOFFER) within"),
            "\(local.standardError)")
        #expect(local.standardError.contains("ens3 (fa:16:3e:12:34:56)"), "\(local.standardError)")
        #expect(elapsed < 12, "bounded by the 4 s discovery deadline (took \(elapsed) s)")
        #expect(setup.metadata.loggedRequests().isEmpty)
        #expect(setup.work.read("etc/systemd/network/10-guest-agent-ens3.network") == nil)
        let after = try await setup.nicState()
        #expect(after.up == false && after.addresses.isEmpty && after.routes.isEmpty, "\(after)")
    }
}
