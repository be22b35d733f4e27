import AgentBase
import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// Network config v1 and ENI inputs rendered by the network plugin and brought up, for
/// each of the four backends, by the backend's own tool inside a scratch network namespace
/// (`ifup`, systemd-networkd, `netplan generate` then systemd-networkd, NetworkManager):
/// a NIC found by its name only (Proxmox's configdrive2 ENI), and a bridge over a NIC
/// (network config v1). A second namespace holds the gateway and answers pings. Nothing
/// reaches this machine's own network; root only.
@Suite(.serialized) struct NetworkInputNamespaceTests {
    static var canRun: Bool {
        Program.isRoot && ["ip", "unshare", "ping"].allSatisfy { Program.which($0) != nil }
    }

    /// Proxmox's configdrive2 shape, one NIC: matched by the name `eth0`, no MAC anywhere.
    static let eniByName = """
        auto lo
        iface lo inet loopback
                dns_nameservers 10.0.0.2
        auto eth0
        iface eth0 inet static
                address 10.0.0.5
                netmask 255.255.255.0
                gateway 10.0.0.1
        iface eth0 inet6 static
                address 2001:db8:0:1::5
                netmask 64
                gateway 2001:db8:0:1::1
        """
    static let eniNeedles = [
        "10.0.0.5/24", "2001:db8:0:1::5/64", "default via 10.0.0.1", "default via 2001:db8:0:1::1",
    ]

    /// A /32 address whose gateway no network holds, reached `on-link` (netplan's way to
    /// write a provider's point-to-point default route).
    static let v2OnLink = """
        version: 2
        ethernets:
          eth0:
            addresses: [10.0.0.5/32]
            routes: [{to: 0.0.0.0/0, via: 10.0.0.1, on-link: true}]
        """
    static let onLinkNeedles = ["10.0.0.5/32", "default via 10.0.0.1"]

    /// A bridge over the NIC (found by MAC), the address on the bridge.
    static let v1Bridge = """
        version: 1
        config:
          - {type: physical, name: eth0, mac_address: 'fa:16:3e:00:00:61'}
          - type: bridge
            name: br0
            bridge_interfaces: [eth0]
            params: {bridge_stp: 'off', bridge_fd: 2}
            subnets: [{type: static, address: 10.0.0.5/24, gateway: 10.0.0.1}]
        """
    static let bridgeNeedles = ["10.0.0.5/24", "default via 10.0.0.1"]

    /// The guest namespace with one NIC (`name`, `mac`) and the peer holding the gateways
    /// and, behind them, 192.168.1.1.
    static func namespaces(nic name: String, mac: String) async throws -> (
        guest: NetworkNamespace, peer: NetworkNamespace
    ) {
        let guest = try await NetworkNamespace(prefix: "gai")
        let peer = try await NetworkNamespace(prefix: "gap")
        try await guest.addVeth(name, mac: mac, peer: peer, peerName: "p0")
        for arguments in [
            ["addr", "add", "10.0.0.1/24", "dev", "p0"], ["addr", "add", "2001:db8:0:1::1/64", "dev", "p0", "nodad"],
            ["addr", "add", "192.168.1.1/32", "dev", "lo"], ["link", "set", "p0", "up"],
        ] {
            try await peer.ip(arguments)
        }
        return (guest, peer)
    }

    /// The network plugin with `renderer` on a scratch root whose /sys/class/net mirrors
    /// the guest namespace's NICs.
    static func render(_ description: NetworkDescription?, renderer: NetworkRenderer, guest: NetworkNamespace)
        async throws -> TemporaryDirectory
    {
        let root = try await TemporaryDirectory(prefix: "guest-agent-netin-root")
        chmod(root.path, 0o755)  // systemd-networkd reads as the systemd-network user
        for link in try await guest.json(["link", "show"]) {
            guard let name = link["ifname"] as? String, name != "lo", let mac = link["address"] as? String else {
                continue
            }
            try await root.write(mac + "\n", to: "sys/class/net/\(name)/address")
        }
        var config = AgentConfig()
        config.network.networkRenderer = renderer
        let metadata = InstanceMetadata(sourceID: "test", instanceID: "netin", network: description)
        #expect(
            try await NetworkPlugin().planAndApply(PluginTestContext.context(metadata, root: root, config: config))
                == .done)
        return root
    }

    /// The backend's own tool on the rendered files, inside `guest`, until `needles` show.
    static func bringUp(
        _ renderer: NetworkRenderer, root: TemporaryDirectory, guest: NetworkNamespace, needles: [String]
    ) async throws -> ProgramResult {
        switch renderer {
        case .eni:
            return try await NetworkDaemons.ifup(in: guest, file: root.path + ENIRenderer.path, until: needles)
        case .networkd:
            return try await NetworkDaemons.networkd(
                in: guest, directory: root.path + NetworkdRenderer.directory, until: needles)
        case .networkmanager:
            return try await NetworkDaemons.networkManager(
                in: guest, directory: root.path + NetworkManagerRenderer.directory, until: needles)
        case .netplan, .auto:
            let generate = try await Program.tool("netplan", ["generate", "--root-dir", root.path])
            #expect(generate.status == 0, "netplan generate: \(generate.standardError)")
            // netplan matches a NIC by its permanent MAC, which a veth lacks: the test's NIC
            // stands in for a real one by its current MAC. Name matches are netplan's as generated.
            let generated = try TemporaryDirectory(prefix: "guest-agent-netin-networkd")
            chmod(generated.path, 0o755)
            let directory = root.path + "/run/systemd/network"
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
                let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
                _ = try generated.write(
                    text.replacingOccurrences(of: "PermanentMACAddress=", with: "MACAddress="), to: name)
            }
            return try await NetworkDaemons.networkd(in: guest, directory: generated.path, until: needles)
        }
    }

    static func available(_ renderer: NetworkRenderer) -> Bool {
        switch renderer {
        case .eni: Program.which("ifup") != nil
        case .networkd: NetworkDaemons.networkdPresent
        case .networkmanager: NetworkDaemons.networkManagerPresent
        case .netplan, .auto: NetworkDaemons.networkdPresent && Program.which("netplan") != nil
        }
    }

    static let renderers: [NetworkRenderer] = [.eni, .networkd, .netplan, .networkmanager]

    @Test(
        .enabled(if: canRun, "needs root, iproute2 and ping for network namespaces: skipped (CI runs as root)"),
        arguments: renderers)
    func aNICFoundByNameComesUp(renderer: NetworkRenderer) async throws {
        try #require(Self.available(renderer), "\(renderer.rawValue)'s tool is not installed")
        // A MAC the metadata never mentions: only the name can find this NIC.
        let (guest, peer) = try await Self.namespaces(nic: "eth0", mac: "52:54:00:12:34:56")
        let root = try await Self.render(.fromENI(Self.eniByName), renderer: renderer, guest: guest)
        let result = try await Self.bringUp(renderer, root: root, guest: guest, needles: Self.eniNeedles)
        #expect(result.status == 0, "\(renderer.rawValue): \(result.standardOutput)\n\(result.standardError)")
        #expect(try await guest.addresses(of: "eth0", family: "inet") == ["10.0.0.5/24"], "\(renderer.rawValue)")
        #expect(
            try await guest.addresses(of: "eth0", family: "inet6") == ["2001:db8:0:1::5/64"], "\(renderer.rawValue)")
        let ping = try await guest.run(["ping", "-c", "1", "-W", "3", "192.168.1.1"])
        #expect(ping.status == 0, "\(renderer.rawValue): ping through the default route: \(ping.standardOutput)")
    }

    @Test(
        .enabled(if: canRun, "needs root, iproute2 and ping for network namespaces: skipped (CI runs as root)"),
        arguments: renderers)
    func aBridgeOverANICComesUp(renderer: NetworkRenderer) async throws {
        try #require(Self.available(renderer), "\(renderer.rawValue)'s tool is not installed")
        if renderer == .eni {
            try #require(
                FileManager.default.fileExists(atPath: "/etc/network/if-pre-up.d/bridge"),
                "ifupdown bridges need bridge-utils (scripts/setup.sh installs it)")
        }
        let (guest, peer) = try await Self.namespaces(nic: "ens3", mac: "fa:16:3e:00:00:61")
        let description = NetworkDescription.fromCloudInitNetworkConfig(
            try #require(try await YAMLParser.parse(Self.v1Bridge)))
        let root = try await Self.render(description, renderer: renderer, guest: guest)
        // The v1 config names the NIC eth0: the files use that name, and the agent's local
        // stage renames the NIC before the network starts (NICRenameEndToEndTests).
        try await guest.ip(["link", "set", "ens3", "name", "eth0"])
        let result = try await Self.bringUp(renderer, root: root, guest: guest, needles: Self.bridgeNeedles)
        #expect(result.status == 0, "\(renderer.rawValue): \(result.standardOutput)\n\(result.standardError)")
        let bridge = try #require(try await guest.json(["-d", "link", "show", "dev", "br0"]).first)
        #expect(((bridge["linkinfo"] as? [String: Any])?["info_kind"] as? String) == "bridge", "\(renderer.rawValue)")
        let port = try #require(try await guest.json(["link", "show", "dev", "eth0"]).first)
        #expect(port["master"] as? String == "br0", "\(renderer.rawValue): eth0 is not a port of br0")
        #expect(try await guest.addresses(of: "br0", family: "inet") == ["10.0.0.5/24"], "\(renderer.rawValue)")
        #expect(try await guest.addresses(of: "eth0", family: "inet").isEmpty, "\(renderer.rawValue)")
        let ping = try await peer.run(["ping", "-c", "1", "-W", "3", "10.0.0.5"])
        #expect(ping.status == 0, "\(renderer.rawValue): ping over the bridge: \(ping.standardOutput)")
    }

    @Test(
        .enabled(if: canRun, "needs root, iproute2 and ping for network namespaces: skipped (CI runs as root)"),
        arguments: renderers)
    func anOnLinkGatewayOutsideTheAddressIsUsed(renderer: NetworkRenderer) async throws {
        try #require(Self.available(renderer), "\(renderer.rawValue)'s tool is not installed")
        let (guest, peer) = try await Self.namespaces(nic: "eth0", mac: "52:54:00:12:34:57")
        // The peer holds the gateway: it must outlive the ping (its deinit deletes it).
        defer { withExtendedLifetime(peer) {} }
        let description = NetworkDescription.fromCloudInitNetworkConfig(
            try #require(try await YAMLParser.parse(Self.v2OnLink)))
        let root = try await Self.render(description, renderer: renderer, guest: guest)
        let result = try await Self.bringUp(renderer, root: root, guest: guest, needles: Self.onLinkNeedles)
        #expect(result.status == 0, "\(renderer.rawValue): \(result.standardOutput)\n\(result.standardError)")
        #expect(try await guest.addresses(of: "eth0", family: "inet") == ["10.0.0.5/32"], "\(renderer.rawValue)")
        let ping = try await guest.run(["ping", "-c", "1", "-W", "3", "192.168.1.1"])
        #expect(ping.status == 0, "\(renderer.rawValue): ping through the on-link gateway: \(ping.standardOutput)")
    }
}
