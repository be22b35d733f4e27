import AgentBase
import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

@Suite struct NetworkPluginTests {
    /// A scratch root with one NIC (`ens3`, the static-ipv4 fixture's MAC).
    static func root(nics: [String: String] = ["ens3": "fa:16:3e:00:00:01"]) throws -> TemporaryDirectory {
        let root = try TemporaryDirectory(prefix: "guest-agent-network")
        for (name, mac) in nics { try root.write(mac + "\n", to: "sys/class/net/\(name)/address") }
        return root
    }

    static func context(_ json: String, root: TemporaryDirectory, renderer: NetworkRenderer) -> PluginContext {
        var config = AgentConfig()
        config.network.networkRenderer = renderer
        let metadata = InstanceMetadata(
            sourceID: "configdrive", instanceID: "i-1", network: OpenStackNetworkConverter.describe(Data(json.utf8)))
        return PluginTestContext.context(metadata, root: root, config: config)
    }

    static func snapshot(_ root: TemporaryDirectory) -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let path = enumerator?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: root.path + "/" + path) { files[path] = data }
        }
        return files
    }

    @Test(arguments: [NetworkRenderer.netplan, .networkd, .eni, .networkmanager])
    func applyWritesOnceThenNothing(renderer: NetworkRenderer) async throws {
        let root = try Self.root()
        let context = Self.context(NetworkFixtures.staticIPv4, root: root, renderer: renderer)
        #expect(try await NetworkPlugin().planAndApply(context) == .done)
        let expected = RendererSelection.render(
            renderer,
            NetworkResolver.resolve(
                NetworkFixtures.model(NetworkFixtures.staticIPv4),
                nics: GuestNICs(byMAC: ["fa:16:3e:00:00:01": "ens3"])
            ).network)
        for file in expected {
            #expect(root.read(String(file.path.dropFirst())) == file.text, "\(file.path)")
            #expect(try root.attributes(String(file.path.dropFirst())).mode == Int(file.mode), "\(file.path)")
        }
        let inodes = try expected.map {
            try FileManager.default.attributesOfItem(atPath: root.path + $0.path)[.systemFileNumber] as? Int
        }
        #expect(try await NetworkPlugin().planAndApply(context) == .done)
        let again = try expected.map {
            try FileManager.default.attributesOfItem(atPath: root.path + $0.path)[.systemFileNumber] as? Int
        }
        #expect(inodes == again, "same bytes: no rewrite")
        guard case .apply(let lines) = try await NetworkPlugin().describedPlan(context) else {
            Issue.record("no plan")
            return
        }
        #expect(lines.filter { $0.hasPrefix("write ") }.isEmpty, "\(lines)")
    }

    @Test func dryRunPlanShowsFilesAndADiffAndWritesNothing() async throws {
        let root = try Self.root()
        try root.write("# old\nnetwork: {version: 2}\n", to: "etc/netplan/50-guest-agent.yaml", mode: 0o600)
        let before = Self.snapshot(root)
        let plan = try await NetworkPlugin().describedPlan(
            Self.context(NetworkFixtures.staticIPv4, root: root, renderer: .netplan))
        guard case .apply(let lines) = plan else {
            Issue.record("\(plan)")
            return
        }
        #expect(lines.first == "renderer netplan (network_renderer = netplan)")
        #expect(lines.contains("write /etc/netplan/50-guest-agent.yaml (mode 600), diff:"))
        #expect(lines.contains("    -# old"))
        #expect(
            lines.contains("    +      - \"10.0.0.5/24\"")
                || lines.contains { $0.hasPrefix("    +") && $0.contains("10.0.0.5/24") })
        #expect(Self.snapshot(root) == before)
    }

    /// Hostile or broken metadata: a clear error, nothing written, the image's config untouched.
    @Test(arguments: [
        (
            #"{"links": [{"id": "tapx", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "net9", "link": "tapx", "type": "ipv4", "ip_address": "10.0.0.5", "netmask": "255.0.255.0"}]}"#,
            "network 'net9', field 'netmask'"
        ),
        (
            #"{"links": [{"id": "tapx", "type": "phy", "mtu": 99999999, "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": []}"#,
            "link 'tapx', field 'mtu'"
        ),
        (
            #"{"links": [{"id": "tapx", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "n", "link": "tapx", "type": "ipv4", "ip_address": "10.0.0.5", "netmask": "24", "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "2001:db8::1"}]}]}"#,
            "network 'n', field 'routes[0].gateway'"
        ),
        (
            #"{"links": [{"id": "v", "type": "vlan", "vlan_link": "gone", "vlan_id": 3}], "networks": []}"#,
            "link 'v', field 'vlan_link'"
        ),
    ])
    func hostileInputWritesNothing(json: String, named: String) async throws {
        for renderer in [NetworkRenderer.netplan, .networkd, .eni, .networkmanager] {
            let root = try Self.root()
            try root.write("auto ens3\niface ens3 inet dhcp\n", to: "etc/network/interfaces")
            try root.write("[Match]\nName=*\n[Network]\nDHCP=yes\n", to: "etc/systemd/network/99-default.network")
            let before = Self.snapshot(root)
            await #expect {
                try await NetworkPlugin().planAndApply(Self.context(json, root: root, renderer: renderer))
            } throws: { error in
                "\(error)".contains(named) && "\(error)".contains("nothing written")
            }
            #expect(Self.snapshot(root) == before, "\(renderer)")
        }
    }

    @Test func networkdCatchAllIsDisabledReversiblyAndOthersKept() async throws {
        let root = try Self.root()
        try root.write("[Match]\nName=en*\n[Network]\nDHCP=yes\n", to: "etc/systemd/network/20-dhcp.network")
        try root.write("[Match]\nName=wlan0\n[Network]\nDHCP=yes\n", to: "etc/systemd/network/30-wifi.network")
        _ = try await NetworkPlugin().planAndApply(
            Self.context(NetworkFixtures.staticIPv4, root: root, renderer: .networkd))
        #expect(root.read("etc/systemd/network/20-dhcp.network") == nil)
        #expect(
            root.read("etc/systemd/network/20-dhcp.network.guest-agent-disabled")
                == "[Match]\nName=en*\n[Network]\nDHCP=yes\n")
        #expect(root.read("etc/systemd/network/30-wifi.network") != nil)
    }

    /// Debian's cloud images match every NIC by a name glob (`name: en*`); netplan renders it
    /// as 10-netplan-all-en.network, which networkd prefers to ours (booted for real, Debian 13).
    @Test func netplanCatchAllIsDisabledReversiblyAndOthersKept() async throws {
        let root = try Self.root()
        let catchAll = """
            network:
              version: 2
              ethernets:
                all-en:
                  match:
                    name: "en*"  # every Ethernet NIC
                  dhcp4: true
            """
        try root.write(catchAll, to: "etc/netplan/90-default.yaml", mode: 0o600)
        try root.write(
            "network:\n  ethernets:\n    wifi:\n      match:\n        name: wl*\n      dhcp4: true\n",
            to: "etc/netplan/91-wifi.yaml", mode: 0o600)
        _ = try await NetworkPlugin().planAndApply(
            Self.context(NetworkFixtures.staticIPv4, root: root, renderer: .netplan))
        #expect(root.read("etc/netplan/90-default.yaml") == nil)
        #expect(root.read("etc/netplan/90-default.yaml.guest-agent-disabled") == catchAll)
        #expect(root.read("etc/netplan/91-wifi.yaml") != nil)
        #expect(ConflictingConfig.netplanNameGlobMatches("- name: 'ens*'\n", names: ["ens3"]))
        #expect(!ConflictingConfig.netplanNameGlobMatches("      set-name: ens3\n", names: ["ens3"]))
    }

    @Test func eniStanzaIsCommentedOutAndOurFileSourced() async throws {
        let root = try Self.root()
        try root.write(
            "auto lo\niface lo inet loopback\n\nauto ens3\niface ens3 inet dhcp\n    hostname x\n",
            to: "etc/network/interfaces")
        _ = try await NetworkPlugin().planAndApply(Self.context(NetworkFixtures.staticIPv4, root: root, renderer: .eni))
        let marker = ConflictingConfig.marker
        #expect(
            root.read("etc/network/interfaces") == """
                auto lo
                iface lo inet loopback

                \(marker)auto ens3
                \(marker)iface ens3 inet dhcp
                \(marker)    hostname x
                source /etc/network/interfaces.d/50-guest-agent

                """)
        #expect(root.read("etc/network/interfaces.d/50-guest-agent")?.contains("address 10.0.0.5/24") == true)
    }

    @Test func networkManagerKeyfileForTheNICIsMovedOutOfTheDirectory() async throws {
        let root = try Self.root()
        try root.write(
            "[connection]\nid=Wired\ntype=ethernet\ninterface-name=ens3\n",
            to: "etc/NetworkManager/system-connections/Wired.nmconnection", mode: 0o600)
        _ = try await NetworkPlugin().planAndApply(
            Self.context(NetworkFixtures.staticIPv4, root: root, renderer: .networkmanager))
        #expect(root.read("etc/NetworkManager/system-connections/Wired.nmconnection") == nil)
        #expect(root.read("etc/NetworkManager/guest-agent-disabled/Wired.nmconnection") != nil)
    }

    @Test func autoPicksByWhatTheRootHas() throws {
        let root = try TemporaryDirectory(prefix: "guest-agent-auto")
        let system = SystemRoot(root.path)
        #expect(RendererSelection.choose(.auto, root: system).renderer == .eni)
        try root.write("", to: "etc/systemd/system/multi-user.target.wants/systemd-networkd.service")
        #expect(RendererSelection.choose(.auto, root: system).renderer == .networkd)
        try root.write("", to: "usr/sbin/NetworkManager")
        try root.write("", to: "etc/systemd/system/multi-user.target.wants/NetworkManager.service")
        #expect(RendererSelection.choose(.auto, root: system).renderer == .networkmanager)
        try FileManager.default.createDirectory(atPath: root.path + "/etc/netplan", withIntermediateDirectories: true)
        #expect(RendererSelection.choose(.auto, root: system).renderer == .netplan)
        #expect(RendererSelection.choose(.eni, root: system).renderer == .eni)
    }

    @Test func noNetworkDescriptionOrNoMatchingNICSkips() async throws {
        let root = try Self.root(nics: [:])
        let plan = try await NetworkPlugin().describedPlan(
            Self.context(NetworkFixtures.staticIPv4, root: root, renderer: .netplan))
        guard case .skip(let reason) = plan else {
            Issue.record("\(plan)")
            return
        }
        #expect(reason.contains("fa:16:3e:00:00:01"))
        let none = PluginTestContext.context(InstanceMetadata(sourceID: "ec2", instanceID: "i"), root: root)
        #expect(try await NetworkPlugin().describedPlan(none) == .skip("metadata has no network description"))
    }

    @Test func activationNeverTouchesAnInterfaceThatIsUp() {
        let network = NetworkGoldenCases.resolved("two-nics")
        let eni = NetworkActivation.commands(
            stage: .network, renderer: .eni, network: network, changedInterfaces: ["ens3", "ens4"], down: ["ens4"],
            files: [])
        #expect(eni.commands == [["ifup", "ens4"]])
        #expect(eni.note?.contains("ens3 is up") == true)
        let netplan = NetworkActivation.commands(
            stage: .network, renderer: .netplan, network: network, changedInterfaces: ["ens3", "ens4"], down: ["ens4"],
            files: [])
        #expect(netplan.commands.isEmpty)
        let allDown = NetworkActivation.commands(
            stage: .network, renderer: .netplan, network: network, changedInterfaces: ["ens3", "ens4"],
            down: ["ens3", "ens4"], files: []
        )
        #expect(allDown.commands == [["netplan", "apply"]])
        let nm = NetworkActivation.commands(
            stage: .network, renderer: .networkmanager, network: network, changedInterfaces: ["ens4"], down: ["ens4"],
            files: NetworkManagerRenderer.render(network).filter { $0.path.contains("ens4") })
        #expect(
            nm.commands == [
                [
                    "nmcli", "connection", "load",
                    "/etc/NetworkManager/system-connections/guest-agent-ens4.nmconnection",
                ],
                ["nmcli", "connection", "up", "guest-agent-ens4"],
            ])
    }

    /// Issue 29 item 12: the local stage runs before the network stack starts, so no backend
    /// is asked to reload or bring anything up then (networkd's reload waited 25 s on D-Bus).
    /// netplan only renders its files again (`netplan generate`): its systemd generator ran
    /// before the local stage wrote anything (booted for real, Debian 13).
    @Test(arguments: [NetworkRenderer.networkd, .netplan, .eni, .networkmanager])
    func theLocalStageActivatesNothing(renderer: NetworkRenderer) {
        let network = NetworkGoldenCases.resolved("two-nics")
        let files = renderer == .networkmanager ? NetworkManagerRenderer.render(network) : []
        let local = NetworkActivation.commands(
            stage: .local, renderer: renderer, network: network, changedInterfaces: ["ens3", "ens4"],
            down: ["ens3", "ens4"], files: files)
        #expect(local.commands == (renderer == .netplan ? [["netplan", "generate"]] : []))
        #expect(local.note?.contains("local stage") == true)
        let networkStage = NetworkActivation.commands(
            stage: .network, renderer: renderer, network: network, changedInterfaces: ["ens3", "ens4"],
            down: ["ens3", "ens4"], files: files)
        #expect(!networkStage.commands.isEmpty, "the same change in the network stage is brought up")
    }
}
