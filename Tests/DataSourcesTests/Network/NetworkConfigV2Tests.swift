import AgentBase
import DataSources
import Foundation
import Testing

/// cloud-init network config version 2 (netplan's shape) into the model.
@Suite struct NetworkConfigV2Tests {
    /// Proxmox VE's `nocloud_network_v2` shape: matched by MAC with `set-name`, static
    /// addresses of both families with their gateways, name servers.
    static let proxmox = """
        version: 2
        ethernets:
            net0:
                match:
                    macaddress: "bc:24:11:aa:bb:01"
                set-name: eth0
                addresses:
                - '192.0.2.10/24'
                - '2001:db8::10/64'
                gateway4: '192.0.2.1'
                gateway6: '2001:db8::1'
                nameservers:
                  addresses:
                  - '192.0.2.53'
                  search:
                  - 'example.com'
            net1:
                match:
                    macaddress: "bc:24:11:aa:bb:02"
                set-name: eth1
                dhcp4: true
                dhcp6: true
        """

    @Test func proxmoxShape() throws {
        let config = try NetworkConfigV1Tests.model(Self.proxmox)
        let links = [("net0", "bc:24:11:aa:bb:01", "eth0"), ("net1", "bc:24:11:aa:bb:02", "eth1")].map {
            id, mac, name in
            var link = NetworkLink(id: id, kind: .physical, macAddress: mac, name: name)
            link.newName = name  // `set-name`
            return link
        }
        #expect(config.links == links)
        let net0 = config.networks(on: "net0")
        #expect(net0.map { $0.staticAddress?.description } == ["192.0.2.10/24", "2001:db8::10/64"])
        #expect(
            net0.flatMap(\.routes).map { "\($0.destination) via \($0.gateway)" } == [
                "0.0.0.0/0 via 192.0.2.1", "::/0 via 2001:db8::1",
            ])
        #expect(net0.allSatisfy { $0.dnsServers.map(\.description) == ["192.0.2.53"] })
        #expect(net0.allSatisfy { $0.searchDomains == ["example.com"] })
        #expect(config.networks(on: "net1").map(\.method) == [.dhcp4, .dhcp6])
        #expect(config.skipped.isEmpty, "\(config.skipped)")
    }

    @Test func matchByNameOrByIdAndVirtualDevices() throws {
        let config = try NetworkConfigV1Tests.model(
            """
            network:
              version: 2
              ethernets:
                eno1: {}
                lan: {match: {name: enp3s0}, mtu: 9000}
              bonds:
                bond0:
                  interfaces: [eno1, lan]
                  parameters: {mode: active-backup, mii-monitor-interval: 100, primary: eno1}
              bridges:
                br0:
                  interfaces: [bond0]
                  parameters: {stp: true, forward-delay: 15}
                  dhcp4: true
              vlans:
                br0.30: {id: 30, link: br0, addresses: [10.3.0.2/24], routes: [{to: 10.4.0.0/16, via: 10.3.0.1}]}
            """)
        #expect(config.link("eno1")?.name == "eno1")
        #expect(config.link("eno1")?.macAddress == nil)
        #expect(config.link("lan")?.name == "enp3s0")
        #expect(config.link("lan")?.mtu == 9000)
        var bond = BondSettings(members: ["eno1", "lan"], mode: "active-backup", miimon: 100)
        bond.primary = "eno1"
        #expect(config.link("bond0")?.kind == .bond(bond))
        #expect(config.link("br0")?.kind == .bridge(BridgeSettings(members: ["bond0"], stp: true, forwardDelay: 15)))
        #expect(config.link("br0.30")?.kind == .vlan(VLANSettings(parent: "br0", vlanID: 30)))
        #expect(config.networks(on: "br0").map(\.method) == [.dhcp4])
        #expect(config.networks(on: "br0.30").first?.routes.map(\.destination.description) == ["10.4.0.0/16"])
        #expect(!config.skipped.contains { $0.contains("primary") }, "\(config.skipped)")
    }

    @Test func whatTheModelCannotHoldIsNamed() throws {
        let config = try NetworkConfigV1Tests.model(
            """
            version: 2
            renderer: networkd
            wifis: {wlan0: {}}
            ethernets:
              eth0:
                dhcp4: true
                optional: true
                routes:
                  - {to: 10.9.0.0/16, via: 10.0.0.1, table: 100}
            """)
        #expect(config.links.map(\.id) == ["eth0"])
        for needle in ["'renderer'", "'wifis'", "'optional'", "table"] {
            #expect(config.skipped.contains { $0.contains(needle) }, "\(needle): \(config.skipped)")
        }
    }

    @Test(arguments: [
        ("version: 2\nethernets: {eth0: {match: {name: 'en*'}}}", "network-config ethernets 'eth0'", "match.name"),
        ("version: 2\nethernets: {eth0: {match: {driver: ixgbe}}}", "network-config ethernets 'eth0'", "match.driver"),
        ("version: 2\nethernets: {eth0: {addresses: [10.0.0.5]}}", "network-config ethernets 'eth0'", "addresses[0]"),
        (
            "version: 2\nethernets: {eth0: {addresses: [10.0.0.5/24], gateway4: '2001:db8::1'}}",
            "network-config ethernets 'eth0'", "gateway4"
        ),
        ("version: 2\nvlans: {v1: {link: eth0}}", "network-config vlans 'v1'", "id"),
        ("version: 2\nethernets: {eth0: {dhcp4: maybe}}", "network-config ethernets 'eth0'", "dhcp4"),
        ("version: 2\nethernets: {eth0: {mtu: big}}", "network-config ethernets 'eth0'", "mtu"),
        (
            "version: 2\nbridges: {br0: {interfaces: [eth0], parameters: {forward-delay: 4}}}", "link 'br0'",
            "bridge_interfaces"
        ),
        (
            "version: 2\nethernets: {eth0: {}}\nbridges: {br0: {interfaces: [eth0], parameters: {stp: true, forward-delay: 99}}}",
            "link 'br0'", "forward_delay"
        ),
    ])
    func malformedInputIsRefusedByName(yaml: String, subject: String, field: String) throws {
        let error = try NetworkConfigV1Tests.refusal(yaml)
        #expect(error.subject == subject, "\(error)")
        #expect(error.field == field, "\(error)")
    }

    @Test func noDevicesIsNil() throws {
        #expect(try NetworkConfigV1Tests.describe("version: 2") == nil)
        #expect(try NetworkConfigV1Tests.describe("network: {version: 2, ethernets: {}}") == nil)
    }
}
