import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// The ifupdown output brought up by Debian's own `ifup -i FILE` inside network namespaces,
/// on veth pairs whose MACs match the metadata; checked with `ip -j addr` / `ip -j route`
/// and a ping from a second namespace. Touches only the namespaces it creates (removed
/// afterwards): ifup runs with its own state directory and a private, empty /run, so its
/// hooks cannot reach the machine's.
@Suite(.serialized) struct NetworkNamespaceTests {
    static var canRun: Bool {
        Program.isRoot && ["ip", "ifup", "ping", "unshare"].allSatisfy { Program.which($0) != nil }
    }

    /// Whether this kernel can make bonds and VLANs (a container or a minimal VM kernel may
    /// have neither module): probed in a scratch namespace.
    static func kernelHasBondAndVLAN() async -> Bool {
        guard canRun, let probe = try? await NetworkNamespace(prefix: "gap") else { return false }
        return await probe.canMakeBondAndVLAN()
    }

    /// Runs the network plugin (renderer eni) for `json` on a scratch root whose
    /// /sys/class/net mirrors the guest namespace's NICs, then `ifup -a -i` that file inside
    /// the namespace.
    func renderAndBringUp(_ json: String, guest: NetworkNamespace) async throws -> ProgramResult {
        let root = try TemporaryDirectory(prefix: "guest-agent-netns-root")
        for link in try await guest.json(["link", "show"]) {
            guard let name = link["ifname"] as? String, name != "lo", let mac = link["address"] as? String else {
                continue
            }
            try root.write(mac + "\n", to: "sys/class/net/\(name)/address")
        }
        var config = AgentConfig()
        config.networkRenderer = .eni
        let metadata = InstanceMetadata(
            sourceID: "configdrive", instanceID: "netns", network: OpenStackNetworkConverter.describe(Data(json.utf8)))
        let context = PluginTestContext.context(metadata, root: root, config: config)
        #expect(try await NetworkPlugin().planAndApply(context) == .done)
        let file = root.path + ENIRenderer.path
        let state = root.path + "/ifstate"
        // A private /run (tmpfs) for ifup and its hooks (resolved, ifenslave), so nothing
        // they write reaches the machine's /run.
        return try await guest.run([
            "unshare", "--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs none /run && mkdir -p \"$1\" && exec ifup -a -i \"$2\" --state-dir \"$1\"",
            "ifup", state, file,
        ])
    }

    @Test(
        .enabled(
            if: canRun, "needs root, iproute2, ifupdown and ping for network namespaces: skipped (CI runs as root)"))
    func staticIPv4RoutesAndMTUComeUpWithIfup() async throws {
        let guest = try await NetworkNamespace(prefix: "gag")
        let peer = try await NetworkNamespace(prefix: "gap")
        try await guest.addVeth("ens3", mac: "fa:16:3e:00:00:01", peer: peer, peerName: "p0")
        // The peer is the gateway (10.0.0.1), the extra route's gateway (10.0.0.254), and
        // owns 192.168.1.1 behind that route.
        for arguments in [
            ["addr", "add", "10.0.0.1/24", "dev", "p0"], ["addr", "add", "10.0.0.254/24", "dev", "p0"],
            ["addr", "add", "192.168.1.1/32", "dev", "lo"], ["link", "set", "p0", "up"],
        ] {
            try await peer.ip(arguments)
        }
        let ifup = try await renderAndBringUp(NetworkFixtures.staticIPv4, guest: guest)
        #expect(ifup.status == 0, "ifup: \(ifup.standardError)")

        let link = try #require(try await guest.json(["addr", "show", "dev", "ens3"]).first)
        #expect(link["mtu"] as? Int == 1450)
        let addresses = (link["addr_info"] as? [[String: Any]] ?? []).filter { $0["family"] as? String == "inet" }
        #expect(addresses.map { "\($0["local"] ?? "")/\($0["prefixlen"] ?? "")" } == ["10.0.0.5/24"])
        let routes = try await guest.json(["route", "show"]).map { "\($0["dst"] ?? "") via \($0["gateway"] ?? "-")" }
        #expect(routes.contains("default via 10.0.0.1"))
        #expect(routes.contains("192.168.0.0/16 via 10.0.0.254"))

        let throughRoute = try await guest.run(["ping", "-c", "1", "-W", "3", "192.168.1.1"])
        #expect(throughRoute.status == 0, "ping through the configured route: \(throughRoute.standardOutput)")
        let fromPeer = try await peer.run(["ping", "-c", "1", "-W", "3", "10.0.0.5"])
        #expect(fromPeer.status == 0, "ping from the second namespace: \(fromPeer.standardOutput)")
    }

    @Test(
        .enabled(
            if: canRun, "needs root, iproute2, ifupdown and ping for network namespaces: skipped (CI runs as root)"))
    func twoNICsOnOneNetworkComeUpWithIfup() async throws {
        let guest = try await NetworkNamespace(prefix: "gag")
        let peer = try await NetworkNamespace(prefix: "gap")
        try await guest.addVeth("ens3", mac: "fa:16:3e:00:00:41", peer: peer, peerName: "p0")
        try await guest.addVeth("ens4", mac: "fa:16:3e:00:00:42", peer: peer, peerName: "p1")
        try await peer.ip(["link", "add", "br0", "type", "bridge"])
        for arguments in [
            ["link", "set", "p0", "master", "br0"], ["link", "set", "p1", "master", "br0"],
            ["addr", "add", "10.1.0.1/24", "dev", "br0"], ["link", "set", "br0", "up"],
            ["link", "set", "p0", "up"], ["link", "set", "p1", "up"],
        ] {
            try await peer.ip(arguments)
        }
        let ifup = try await renderAndBringUp(NetworkFixtures.twoNICsSameNetwork, guest: guest)
        #expect(ifup.status == 0, "ifup: \(ifup.standardError)")
        for (name, address) in [("ens3", "10.1.0.10"), ("ens4", "10.1.0.11")] {
            let link = try #require(try await guest.json(["addr", "show", "dev", name]).first)
            let inet = (link["addr_info"] as? [[String: Any]] ?? []).filter { $0["family"] as? String == "inet" }
                .compactMap { $0["local"] as? String }
            #expect(inet == [address], "\(name)")
            #expect(link["mtu"] as? Int == 1450)
        }
        let ping = try await peer.run(["ping", "-c", "1", "-W", "3", "10.1.0.11"])
        #expect(ping.status == 0, "ping from the second namespace: \(ping.standardOutput)")
    }

    @Test(
        .enabled(
            "needs root, ifupdown, ifenslave, vlan and a kernel with bonding and 802.1Q: skipped (this kernel cannot create a bond or VLAN)"
        ) { await NetworkNamespaceTests.kernelHasBondAndVLAN() })
    func bondWithVLANComesUpWithIfup() async throws {
        let guest = try await NetworkNamespace(prefix: "gag")
        let peer = try await NetworkNamespace(prefix: "gap")
        try await guest.addVeth("enp1s0", mac: "fa:16:3e:00:00:11", peer: peer, peerName: "p1")
        try await guest.addVeth("enp2s0", mac: "fa:16:3e:00:00:12", peer: peer, peerName: "p2")
        for arguments in [
            ["link", "add", "bond0", "type", "bond", "mode", "802.3ad", "miimon", "100"],
            ["link", "set", "p1", "master", "bond0"], ["link", "set", "p2", "master", "bond0"],
            ["link", "add", "link", "bond0", "name", "bond0.100", "type", "vlan", "id", "100"],
            ["addr", "add", "192.0.2.1/24", "dev", "bond0.100"], ["link", "set", "bond0", "up"],
            ["link", "set", "bond0.100", "up"],
        ] {
            try await peer.ip(arguments)
        }
        let ifup = try await renderAndBringUp(NetworkFixtures.bondWithVLAN, guest: guest)
        #expect(ifup.status == 0, "ifup: \(ifup.standardError)")
        let bond = try #require(try await guest.json(["-d", "link", "show", "dev", "bond0"]).first)
        #expect(bond["mtu"] as? Int == 9000)
        let bondInfo = ((bond["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any]) ?? [:]
        #expect(bondInfo["mode"] as? String == "802.3ad")
        #expect(bondInfo["xmit_hash_policy"] as? String == "layer3+4")
        let vlan = try #require(try await guest.json(["-d", "addr", "show", "dev", "bond0.100"]).first)
        #expect(((vlan["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any])?["id"] as? Int == 100)
        let inet = (vlan["addr_info"] as? [[String: Any]] ?? []).filter { $0["family"] as? String == "inet" }.compactMap
        { $0["local"] as? String }
        #expect(inet == ["192.0.2.10"])
        let ping = try await peer.run(["ping", "-c", "1", "-W", "5", "192.0.2.10"])
        #expect(ping.status == 0, "ping over the bond's VLAN: \(ping.standardOutput)")
    }
}
