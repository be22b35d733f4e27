import AgentBase
import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// Our output checked by the real tools: netplan's own parser and generator
/// (`netplan generate --root-dir`, Debian's netplan.io), and NetworkManager's keyfile
/// parser (`nmcli --offline`, which refuses an invalid keyfile).
@Suite struct NetworkRealToolsTests {
    static let cases = NetworkGoldenCases.all.map(\.name)

    @Test(.enabled(if: Program.which("netplan") != nil, "needs netplan (netplan.io): skipped"), arguments: cases)
    func netplanGenerateAcceptsOurYAML(name: String) async throws {
        let root = try TemporaryDirectory(prefix: "guest-agent-netplan")
        let network = NetworkGoldenCases.resolved(name)
        for file in NetplanRenderer.render(network) {
            try root.write(file.contents, to: String(file.path.dropFirst()), mode: Int(file.mode))
        }
        let result = try await Program.tool("netplan", ["generate", "--root-dir", root.path])
        #expect(result.status == 0, "netplan generate: \(result.standardError)")
        #expect(!result.standardError.contains("Permissions"), "netplan warned: \(result.standardError)")
        // What netplan generated for networkd says what we meant.
        for interface in network.interfaces where interface.bondMaster == nil {
            let generated = try #require(
                root.read("run/systemd/network/10-netplan-\(interface.name).network"), "\(interface.name)")
            for address in interface.addresses {
                #expect(generated.contains("Address=\(address)"), "\(interface.name): \(address)")
            }
            for route in interface.routes {
                #expect(generated.contains("Gateway=\(route.gateway)"), "\(interface.name): \(route.gateway)")
            }
            if let mtu = interface.mtu { #expect(generated.contains("MTUBytes=\(mtu)"), "\(interface.name): mtu") }
            if case .vlan = interface.kind {
                #expect(
                    root.read("run/systemd/network/10-netplan-\(interface.name).netdev")?.contains("Kind=vlan") == true)
            }
        }
        if name == "bond-vlan" {
            let netdev = try #require(root.read("run/systemd/network/10-netplan-bond0.netdev"))
            for expected in [
                "Kind=bond", "Mode=802.3ad", "TransmitHashPolicy=layer3+4", "MIIMonitorSec=100ms",
                "LACPTransmitRate=fast", "MTUBytes=9000",
            ] {
                #expect(netdev.contains(expected), "bond0.netdev lacks \(expected)")
            }
        }
        if name == "ec2" {
            #expect(root.read("run/systemd/network/10-netplan-ens6.network")?.contains("UseRoutes=false") == true)
        }
    }

    @Test(.enabled(if: Program.which("nmcli") != nil, "needs nmcli (network-manager): skipped"), arguments: cases)
    func nmcliOfflineAcceptsOurKeyfiles(name: String) async throws {
        for file in NetworkManagerRenderer.render(NetworkGoldenCases.resolved(name)) {
            let id = String(SystemRoot.parentAndName(of: file.path).name.dropLast(".nmconnection".count))
            // `modify` parses the keyfile from stdin, verifies the connection and prints it
            // back; an invalid property fails it.
            let result = try await Program.tool(
                "nmcli", ["--offline", "connection", "modify", "connection.id", id], input: file.contents)
            #expect(result.status == 0, "\(file.path): \(result.standardError)")
            #expect(result.standardOutput.contains("interface-name="), "\(file.path)")
        }
    }

    @Test(.enabled(if: Program.which("nmcli") != nil, "needs nmcli (network-manager): skipped"))
    func nmcliRefusesABrokenKeyfile() async throws {
        // The check above can fail: a keyfile with an impossible method is refused.
        let broken = Data("[connection]\nid=x\ntype=ethernet\n[ipv4]\nmethod=sideways\n".utf8)
        #expect(
            try await Program.tool("nmcli", ["--offline", "connection", "modify", "connection.id", "x"], input: broken)
                .status
                != 0)
    }
}
