import Foundation
import TestSupport
import Testing

/// The "done when" of the network plugin: `guest-agent run --root R` with `plugins = network`
/// renders, for each of the four backends, configuration that the backend's own tool brings
/// up inside a network namespace: systemd-networkd for networkd, `netplan generate` then
/// systemd-networkd for netplan, NetworkManager for its keyfiles, `ifup` for ifupdown. The
/// namespace's NIC has the metadata's MAC under another name than the metadata's link id;
/// a second namespace plays the gateways and answers pings through the configured routes.
@Suite(.serialized) struct NetworkRenderersEndToEndTests {
    /// One NIC, static IPv4 and IPv6, each with a default and an extra route, MTU 1450.
    static let networkData = """
        {"links": [{"id": "tap0c1d2e3f-4a", "type": "ovs", "mtu": 1450, "ethernet_mac_address": "fa:16:3e:00:00:51"}],
         "networks": [{"id": "network0", "link": "tap0c1d2e3f-4a", "network_id": "n4", "type": "ipv4",
                       "ip_address": "10.0.0.5", "netmask": "255.255.255.0",
                       "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.0.0.1"},
                                  {"network": "192.168.0.0", "netmask": "255.255.0.0", "gateway": "10.0.0.254"}]},
                      {"id": "network1", "link": "tap0c1d2e3f-4a", "network_id": "n6", "type": "ipv6",
                       "ip_address": "2001:db8:0:1::5", "netmask": "ffff:ffff:ffff:ffff::",
                       "routes": [{"network": "::", "netmask": "::", "gateway": "2001:db8:0:1::1"},
                                  {"network": "2001:db8:100::", "netmask": "48", "gateway": "2001:db8:0:1::fe"}]}],
         "services": [{"type": "dns", "address": "10.0.0.2"}]}
        """

    /// What the guest namespace must show once the backend is done.
    static let needles = [
        "10.0.0.5/24", "2001:db8:0:1::5/64", "default via 10.0.0.1", "192.168.0.0/16 via 10.0.0.254",
        "default via 2001:db8:0:1::1", "2001:db8:100::/48 via 2001:db8:0:1::fe",
    ]

    static var canRun: Bool {
        Program.isRoot && ["ip", "unshare", "ping"].allSatisfy { Program.which($0) != nil }
    }

    struct Rendered {
        let root: TemporaryDirectory
        let run: ProgramResult
    }

    /// `guest-agent run --root R` with a config drive directory under R holding
    /// `networkData`, and R's /sys/class/net naming the NIC `ens3`.
    static func render(_ renderer: String) async throws -> Rendered {
        let root = try TemporaryDirectory(prefix: "guest-agent-net-e2e")
        _ = try ConfigDriveImages.stage(in: root) { stage in
            for version in ["latest", "2015-10-15", "2018-08-27"] {
                try networkData.write(
                    toFile: stage + "/openstack/\(version)/network_data.json", atomically: true, encoding: .utf8)
            }
        }
        try root.write("fa:16:3e:00:00:51\n", to: "sys/class/net/ens3/address")
        let config = try root.write(
            """
            metadata_services = configdrive
            configdrive_paths = /stage
            plugins = network
            network_renderer = \(renderer)
            """, to: "agent.conf")
        let run = try await Program.agent(["run"], config: config, root: root.path)
        return Rendered(root: root, run: run)
    }

    /// The guest namespace with `ens3` (the metadata's MAC) and a peer namespace holding
    /// the gateways, and behind them 192.168.1.1 and 2001:db8:100::1.
    static func namespaces() async throws -> (guest: NetworkNamespace, peer: NetworkNamespace) {
        let guest = try await NetworkNamespace(prefix: "gae")
        let peer = try await NetworkNamespace(prefix: "gap")
        try await guest.addVeth("ens3", mac: "fa:16:3e:00:00:51", peer: peer, peerName: "p0")
        for arguments in [
            ["addr", "add", "10.0.0.1/24", "dev", "p0"], ["addr", "add", "10.0.0.254/24", "dev", "p0"],
            ["addr", "add", "2001:db8:0:1::1/64", "dev", "p0", "nodad"],
            ["addr", "add", "2001:db8:0:1::fe/64", "dev", "p0", "nodad"],
            ["addr", "add", "192.168.1.1/32", "dev", "lo"], ["addr", "add", "2001:db8:100::1/128", "dev", "lo"],
            ["link", "set", "p0", "up"],
        ] {
            try await peer.ip(arguments)
        }
        return (guest, peer)
    }

    /// What every backend must have done: addresses, MTU, routes, and pings through them.
    static func expectConfigured(_ guest: NetworkNamespace, peer: NetworkNamespace, by tool: String) async throws {
        #expect(try await guest.addresses(of: "ens3", family: "inet") == ["10.0.0.5/24"], "\(tool)")
        #expect(try await guest.addresses(of: "ens3", family: "inet6") == ["2001:db8:0:1::5/64"], "\(tool)")
        #expect(try await guest.json(["link", "show", "dev", "ens3"]).first?["mtu"] as? Int == 1450, "\(tool): MTU")
        let v4 = try await guest.gatewayRoutes("-4")
        #expect(v4.contains("default via 10.0.0.1") && v4.contains("192.168.0.0/16 via 10.0.0.254"), "\(tool): \(v4)")
        let v6 = try await guest.gatewayRoutes("-6")
        #expect(
            v6.contains("default via 2001:db8:0:1::1") && v6.contains("2001:db8:100::/48 via 2001:db8:0:1::fe"),
            "\(tool): \(v6)")
        for target in ["192.168.1.1", "2001:db8:100::1"] {
            let ping = try await guest.run(["ping", "-c", "1", "-W", "3", target])
            #expect(ping.status == 0, "\(tool): ping \(target) through the configured route: \(ping.standardOutput)")
        }
        let fromPeer = try await peer.run(["ping", "-c", "1", "-W", "3", "10.0.0.5"])
        #expect(fromPeer.status == 0, "\(tool): ping from the second namespace: \(fromPeer.standardOutput)")
    }

    /// Renders with `renderer` through the built agent, lets `bringUp` apply the files in
    /// the guest namespace, and checks the result.
    static func renderAndBringUp(
        _ renderer: String, by tool: String,
        _ bringUp: (TemporaryDirectory, NetworkNamespace) async throws -> ProgramResult
    ) async throws {
        let rendered = try await render(renderer)
        #expect(rendered.run.status == 0, "\(rendered.run.standardOutput)\n\(rendered.run.standardError)")
        let (guest, peer) = try await namespaces()
        let result = try await bringUp(rendered.root, guest)
        #expect(result.status == 0, "\(tool): \(result.standardOutput)\n\(result.standardError)")
        try await expectConfigured(guest, peer: peer, by: tool)
    }

    @Test(
        .enabled(if: canRun && NetworkDaemons.networkdPresent, "needs root, iproute2 and systemd-networkd: skipped"))
    func networkdFilesAreBroughtUpBySystemdNetworkd() async throws {
        try await Self.renderAndBringUp("networkd", by: "systemd-networkd") { root, guest in
            try await NetworkDaemons.networkd(
                in: guest, directory: root.path + "/etc/systemd/network", until: Self.needles)
        }
    }

    @Test(
        .enabled(
            if: canRun && NetworkDaemons.networkdPresent && Program.which("netplan") != nil,
            "needs root, iproute2, netplan and systemd-networkd: skipped"))
    func netplanYAMLIsGeneratedByNetplanAndBroughtUpBySystemdNetworkd() async throws {
        try await Self.renderAndBringUp("netplan", by: "netplan generate + systemd-networkd") { root, guest in
            let generate = try await Program.tool("netplan", ["generate", "--root-dir", root.path])
            #expect(generate.status == 0, "netplan generate: \(generate.standardError)")
            // netplan matches the NIC by its permanent MAC, which a virtio NIC has and a veth
            // lacks (all zeros): the test's virtual NIC stands in for the real one by matching
            // its current MAC instead. Everything else is netplan's output as generated.
            let generated = try #require(root.read("run/systemd/network/10-netplan-ens3.network"))
            #expect(generated.contains("PermanentMACAddress=fa:16:3e:00:00:51"))
            let forVeth = try TemporaryDirectory(prefix: "guest-agent-netplan-networkd")
            // systemd-networkd drops to the systemd-network user before reading its files.
            chmod(forVeth.path, 0o755)
            _ = try forVeth.write(
                generated.replacingOccurrences(of: "PermanentMACAddress=", with: "MACAddress="),
                to: "10-netplan-ens3.network")
            return try await NetworkDaemons.networkd(in: guest, directory: forVeth.path, until: Self.needles)
        }
    }

    @Test(
        .enabled(
            if: canRun && NetworkDaemons.networkManagerPresent,
            "needs root, iproute2, NetworkManager and dbus-daemon: skipped"))
    func keyfilesAreBroughtUpByNetworkManager() async throws {
        try await Self.renderAndBringUp("networkmanager", by: "NetworkManager") { root, guest in
            try await NetworkDaemons.networkManager(
                in: guest, directory: root.path + "/etc/NetworkManager/system-connections", until: Self.needles)
        }
    }

    @Test(.enabled(if: canRun && Program.which("ifup") != nil, "needs root, iproute2 and ifupdown: skipped"))
    func interfacesFileIsBroughtUpByIfup() async throws {
        try await Self.renderAndBringUp("eni", by: "ifup") { root, guest in
            try await NetworkDaemons.ifup(
                in: guest, file: root.path + "/etc/network/interfaces.d/50-guest-agent", until: Self.needles)
        }
    }

    @Test(
        .enabled(if: canRun && NetworkDaemons.networkdPresent, "needs root, iproute2 and systemd-networkd: skipped"))
    func anotherNICIsLeftAlone() async throws {
        // Control: with a NIC that is not the one the files were rendered for (another name
        // and MAC), the daemon configures nothing and the wait reports it, so the tests
        // above cannot pass by accident.
        let rendered = try await Self.render("networkd")
        let guest = try await NetworkNamespace(prefix: "gae")
        let peer = try await NetworkNamespace(prefix: "gap")
        try await guest.addVeth("ens9", mac: "fa:16:3e:00:00:99", peer: peer, peerName: "p0")
        try await peer.ip(["link", "set", "p0", "up"])
        let result = try await NetworkDaemons.networkd(
            in: guest, directory: rendered.root.path + "/etc/systemd/network", until: ["10.0.0.5/24"], seconds: 5)
        #expect(result.status != 0)
        #expect(try await guest.addresses(of: "ens9", family: "inet").isEmpty)
    }
}
