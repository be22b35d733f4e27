import AgentBase
import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// Network config v1, v2 and ENI inputs through the resolver and the four renderers: NICs
/// matched by name or MAC, bridges, and the output checked by the real tools (`netplan
/// generate`, `nmcli --offline`).
@Suite struct NetworkInputRenderingTests {
    static let cases = NetworkInputCases.all.map(\.name)

    static func files(_ renderer: NetworkRenderer, _ name: String) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: RendererSelection.render(renderer, NetworkInputCases.resolved(name).network).map {
                ($0.path, $0.text)
            })
    }

    @Test(arguments: cases) func everyCaseResolvesWithoutWarnings(name: String) {
        let result = NetworkInputCases.resolved(name)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        #expect(!result.network.interfaces.isEmpty)
    }

    @Test func aNICMatchedByMACTakesTheV1Name() async throws {
        // Proxmox names the NIC eth0; the guest's kernel called it ens18: renamed, as
        // cloud-init renames it.
        let network = NetworkInputCases.resolved("v1-proxmox").network
        #expect(network.interfaces.map(\.name) == ["eth0"])
        let interface = try #require(network.interface("eth0"))
        #expect(interface.kernelName == "ens18" && interface.deviceName == "ens18")
        #expect(interface.addresses.map(\.description) == ["10.0.0.5/24", "2001:db8:0:1::5/64"])
        #expect(interface.nameservers.map(\.description) == ["10.0.0.2"])
        #expect(interface.searchDomains == ["example.com"])
        let netplan = try #require(Self.files(.netplan, "v1-proxmox")[NetplanRenderer.path])
        #expect(netplan.contains("macaddress: \"bc:24:11:aa:bb:01\"\n      set-name: eth0"))
    }

    @Test func nicsMatchedByNameAreWrittenWithTheirName() async throws {
        let netplan = try #require(Self.files(.netplan, "eni-proxmox")[NetplanRenderer.path])
        #expect(netplan.contains("eth0:\n      match:\n        name: \"eth0\"\n"), "\(netplan)")
        #expect(!netplan.contains("macaddress"))
        let networkd = Self.files(.networkd, "eni-proxmox")
        // No MAC to rename by: no .link file, the .network matches the name.
        #expect(networkd.keys.filter { $0.hasSuffix(".link") }.isEmpty, "\(networkd.keys.sorted())")
        #expect(networkd["/etc/systemd/network/10-guest-agent-eth0.network"]?.contains("Name=eth0\n") == true)
        let keyfile = try #require(
            Self.files(.networkmanager, "eni-proxmox")[
                NetworkManagerRenderer.directory + "/guest-agent-eth0.nmconnection"])
        #expect(keyfile.contains("interface-name=eth0\n"))
        #expect(!keyfile.contains("mac-address"))
        let eni = try #require(Self.files(.eni, "eni-proxmox")[ENIRenderer.path])
        #expect(
            eni.contains(
                "auto eth0\nallow-hotplug eth0\niface eth0 inet static\n    address 10.0.0.5/24\n    gateway 10.0.0.1"))
        #expect(eni.contains("iface eth1 inet dhcp"))
    }

    @Test func aNameTheGuestDoesNotHaveIsLeftOutWithAWarning() async throws {
        guard case .configuration(let config)? = NetworkDescription.fromENI(NetworkInputCases.eniProxmox) else {
            Issue.record("not a configuration")
            return
        }
        let result = NetworkResolver.resolve(config, nics: GuestNICs(byMAC: ["52:54:00:00:00:01": "ens3"]))
        #expect(result.network.interfaces.isEmpty)
        #expect(
            result.warnings.contains("link 'eth0': no guest interface is named 'eth0', left out"), "\(result.warnings)")
    }

    @Test func bondInBridgeWithVLANOnTheBridge() async throws {
        let network = NetworkInputCases.resolved("v2-stack").network
        #expect(network.interfaces.map(\.name) == ["eth0", "eth1", "bond0", "br0", "br0.30"])
        #expect(network.members(of: "bond0") == ["eth0", "eth1"])
        #expect(network.ports(of: "br0") == ["bond0"])
        #expect(network.interface("bond0")?.hasL3 == false)
        #expect(network.vlans(on: "br0") == ["br0.30"])
        let networkd = Self.files(.networkd, "v2-stack")
        let netdev = try #require(networkd["/etc/systemd/network/10-guest-agent-br0.netdev"])
        #expect(netdev.contains("Kind=bridge") && netdev.contains("STP=yes") && netdev.contains("ForwardDelaySec=4"))
        #expect(networkd["/etc/systemd/network/10-guest-agent-bond0.network"]?.contains("Bridge=br0") == true)
        #expect(networkd["/etc/systemd/network/10-guest-agent-br0.network"]?.contains("VLAN=br0.30") == true)
        let eni = try #require(Self.files(.eni, "v2-stack")[ENIRenderer.path])
        #expect(eni.contains("bridge_ports bond0\n    bridge_stp on\n    bridge_fd 4"), "\(eni)")
        let keyfiles = Self.files(.networkmanager, "v2-stack")
        let bridge = try #require(keyfiles[NetworkManagerRenderer.directory + "/guest-agent-br0.nmconnection"])
        #expect(bridge.contains("type=bridge") && bridge.contains("[bridge]\nstp=true\nforward-delay=4"))
        let port = try #require(keyfiles[NetworkManagerRenderer.directory + "/guest-agent-bond0.nmconnection"])
        // The port names its bridge by the bridge connection's UUID (NetworkManager takes no id there).
        let uuid = try #require(bridge.split(separator: "\n").first { $0.hasPrefix("uuid=") }?.dropFirst(5))
        #expect(port.contains("master=\(uuid)\nslave-type=bridge"), "\(port)")
        #expect(!port.contains("[ipv4]"))
    }

    @Test(.enabled(if: Program.which("netplan") != nil, "needs netplan (netplan.io): skipped"), arguments: cases)
    func netplanGenerateAcceptsIt(name: String) async throws {
        let root = try await TemporaryDirectory(prefix: "guest-agent-netplan-inputs")
        let network = NetworkInputCases.resolved(name).network
        for file in NetplanRenderer.render(network) {
            try await root.write(file.contents, to: String(file.path.dropFirst()), mode: Int(file.mode))
        }
        let result = try await Program.tool("netplan", ["generate", "--root-dir", root.path])
        #expect(result.status == 0, "netplan generate: \(result.standardError)")
        for interface in network.interfaces {
            let generated = try #require(
                root.read("run/systemd/network/10-netplan-\(interface.name).network"), "\(interface.name)")
            for address in interface.addresses {
                #expect(generated.contains("Address=\(address)"), "\(interface.name): \(address)")
            }
            for route in interface.routes {
                #expect(generated.contains("Gateway=\(route.gateway)"), "\(interface.name): \(route.gateway)")
                if let metric = route.metric { #expect(generated.contains("Metric=\(metric)"), "\(generated)") }
            }
            if interface.isEthernet {
                // netplan's own match: the MAC when there is one, else the name.
                let match = interface.macAddress.map { "PermanentMACAddress=\($0)" } ?? "Name=\(interface.name)"
                #expect(generated.contains(match), "\(interface.name): \(generated)")
            }
            if let master = interface.bridgeMaster { #expect(generated.contains("Bridge=\(master)")) }
            if case .bond(let bond) = interface.kind, let delay = bond.upDelay {
                let netdev = try #require(root.read("run/systemd/network/10-netplan-\(interface.name).netdev"))
                #expect(netdev.contains("UpDelaySec=\(delay)ms"), "\(netdev)")
            }
            if let mtu = interface.ipv6MTU { #expect(generated.contains("IPv6MTUBytes=\(mtu)"), "\(generated)") }
            if interface.wakeOnLAN == true {
                let link = try #require(root.read("run/systemd/network/10-netplan-\(interface.name).link"))
                #expect(link.contains("WakeOnLan=magic"), "\(link)")
            }
            if case .bridge(let bridge) = interface.kind {
                let netdev = try #require(root.read("run/systemd/network/10-netplan-\(interface.name).netdev"))
                #expect(netdev.contains("Kind=bridge"), "\(netdev)")
                #expect(netdev.contains("STP=\(bridge.stp ?? false)"), "\(netdev)")
                if let delay = bridge.forwardDelay { #expect(netdev.contains("ForwardDelaySec=\(delay)"), "\(netdev)") }
            }
        }
    }

    @Test(.enabled(if: Program.which("nmcli") != nil, "needs nmcli (network-manager): skipped"), arguments: cases)
    func nmcliOfflineAcceptsTheKeyfiles(name: String) async throws {
        let files = NetworkManagerRenderer.render(NetworkInputCases.resolved(name).network)
        for file in files where file.path.hasSuffix(".nmconnection") {
            let id = String(SystemRoot.parentAndName(of: file.path).name.dropLast(".nmconnection".count))
            let result = try await Program.tool(
                "nmcli", ["--offline", "connection", "modify", "connection.id", id], input: file.contents)
            #expect(result.status == 0, "\(file.path): \(result.standardError)")
        }
    }
}
