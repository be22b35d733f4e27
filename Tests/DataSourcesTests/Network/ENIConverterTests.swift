import DataSources
import Foundation
import Testing

/// ifupdown ENI text into the model: Proxmox's `configdrive2` output (both its Linux and its
/// cloudbase-init variants), Debian's bond, VLAN and bridge stanzas, and refusals naming the
/// stanza, its line and the option.
@Suite struct ENIConverterTests {
    static func model(_ text: String) throws -> NetworkConfiguration {
        let description = NetworkDescription.fromENI(text)
        guard case .configuration(let config)? = description else {
            Issue.record("not a configuration: \(String(describing: description))")
            throw CancellationError()
        }
        return config
    }

    static func refusal(_ text: String) throws -> NetworkConfigError {
        let description = NetworkDescription.fromENI(text)
        guard case .invalid(let error)? = description else {
            Issue.record("not refused: \(String(describing: description))")
            throw CancellationError()
        }
        return error
    }

    /// What Proxmox VE's `configdrive2_network` writes: the loopback stanza carrying the
    /// name servers (`dns_nameservers`, with underscores), then per NIC `ethN` stanzas.
    static let proxmox = """
        auto lo
        iface lo inet loopback

                dns_nameservers 192.0.2.53 192.0.2.54
                dns_search example.com
        auto eth0
        iface eth0 inet static
                address 192.0.2.10
                netmask 255.255.255.0
                gateway 192.0.2.1
        iface eth0 inet6 static
                address 2001:db8::10
                netmask 64
                gateway 2001:db8::1
        auto eth1
        iface eth1 inet dhcp
        iface eth1 inet6 auto

        """

    @Test func proxmoxConfigDrive() throws {
        let config = try Self.model(Self.proxmox)
        #expect(
            config.links == [
                NetworkLink(id: "eth0", kind: .physical, macAddress: nil, name: "eth0"),
                NetworkLink(id: "eth1", kind: .physical, macAddress: nil, name: "eth1"),
            ])
        #expect(
            config.networks(on: "eth0").map { $0.staticAddress?.description } == ["192.0.2.10/24", "2001:db8::10/64"])
        #expect(
            config.networks.flatMap(\.routes).map { "\($0.destination) via \($0.gateway)" } == [
                "0.0.0.0/0 via 192.0.2.1", "::/0 via 2001:db8::1",
            ])
        #expect(config.networks(on: "eth1").map(\.method) == [.dhcp4, .slaac])
        #expect(config.dnsServers.map(\.description) == ["192.0.2.53", "192.0.2.54"])
        #expect(config.searchDomains == ["example.com"])
        #expect(config.skipped.isEmpty, "\(config.skipped)")
    }

    @Test func proxmoxCloudbaseVariantAndInet6DHCP() throws {
        // `cloudbase_network_eni`: no loopback, `dns-nameservers` in each static stanza.
        let config = try Self.model(
            """
            auto eth0
            iface eth0 inet static
                    address 192.0.2.10
                    netmask 255.255.255.0
                    gateway 192.0.2.1
                    dns-nameservers 192.0.2.53
            iface eth0 inet6 dhcp
            """)
        #expect(config.networks.map(\.method).last == .dhcp6)
        #expect(config.networks.first?.dnsServers.map(\.description) == ["192.0.2.53"])
    }

    @Test func hwaddressMatchesByMACAndAliasesAddAddresses() throws {
        let config = try Self.model(
            """
            auto ens3 ens3:1
            iface ens3 inet static
                hwaddress ether FA:16:3E:00:00:01
                address 10.0.0.5/24
                mtu 1450
            iface ens3:1 inet static
                address 10.0.1.5/24
            """)
        #expect(
            config.links == [
                NetworkLink(id: "ens3", kind: .physical, macAddress: "fa:16:3e:00:00:01", name: "ens3", mtu: 1450)
            ])
        #expect(config.networks.map { $0.staticAddress?.description } == ["10.0.0.5/24", "10.0.1.5/24"])
    }

    @Test func debianBondVLANAndBridge() throws {
        let config = try Self.model(
            """
            auto eno1
            iface eno1 inet manual
                bond-master bond0
            auto eno2
            iface eno2 inet manual
                bond-master bond0

            auto bond0
            iface bond0 inet manual
                bond-slaves none
                bond-mode 4
                bond-miimon 100
                bond-xmit-hash-policy layer3+4
                bond-lacp-rate 1

            auto bond0.100
            iface bond0.100 inet manual

            auto vlan200
            iface vlan200 inet static
                vlan-raw-device bond0
                address 10.2.0.2/24

            auto br0
            iface br0 inet dhcp
                bridge_ports bond0.100
                bridge_stp off
                bridge_fd 2
                bridge_maxwait 0
            """)
        #expect(
            config.link("bond0")?.kind
                == .bond(
                    BondSettings(
                        members: ["eno1", "eno2"], mode: "802.3ad", miimon: 100, xmitHashPolicy: "layer3+4",
                        lacpRate: "fast")))
        #expect(config.link("eno1")?.kind == .physical)
        #expect(config.link("bond0.100")?.kind == .vlan(VLANSettings(parent: "bond0", vlanID: 100)))
        #expect(config.link("vlan200")?.kind == .vlan(VLANSettings(parent: "bond0", vlanID: 200)))
        #expect(
            config.link("br0")?.kind == .bridge(BridgeSettings(members: ["bond0.100"], stp: false)))
        // Without spanning tree the forward delay does nothing: left out, and said so.
        #expect(config.skipped.contains { $0.contains("forward delay 2 s") }, "\(config.skipped)")
        #expect(config.networks(on: "br0").map(\.method) == [.dhcp4])
        #expect(config.skipped.contains { $0.contains("bridge_maxwait") }, "\(config.skipped)")
    }

    @Test func portsAndParentsWithoutStanzasAreNICsByName() throws {
        // Debian's usual bridge: the port has no stanza of its own; likewise a NAME.ID VLAN.
        let config = try Self.model(
            """
            auto br0
            iface br0 inet dhcp
                bridge_ports eth0
            auto eth1.7
            iface eth1.7 inet dhcp
            """)
        #expect(config.link("br0")?.kind == .bridge(BridgeSettings(members: ["eth0"])))
        #expect(config.link("eth1.7")?.kind == .vlan(VLANSettings(parent: "eth1", vlanID: 7)))
        for nic in ["eth0", "eth1"] {
            #expect(config.link(nic) == NetworkLink(id: nic, kind: .physical, macAddress: nil, name: nic))
            #expect(config.networks(on: nic).isEmpty)
        }
    }

    @Test func commandsAreNeverRunAndAreNamed() throws {
        let config = try Self.model(
            """
            iface eth0 inet static
                address 10.0.0.5/24
                up ip route add 10.9.0.0/16 via 10.0.0.1
                post-up /usr/local/bin/evil
            """)
        #expect(config.networks.first?.routes == [])
        #expect(config.skipped.filter { $0.contains("never run") }.count == 2, "\(config.skipped)")
    }

    @Test func continuationLinesCommentsAndSourcesAreHandled() throws {
        let config = try Self.model(
            """
            # a comment
            source /etc/network/interfaces.d/*
            auto eth0
            iface eth0 inet static
                address \\
                    10.0.0.5/16
                # not an option
                dns-nameservers 10.0.0.2
            """)
        #expect(config.networks.first?.staticAddress?.description == "10.0.0.5/16")
        #expect(config.networks.first?.dnsServers.map(\.description) == ["10.0.0.2"])
        #expect(config.skipped.contains { $0.contains("'source'") }, "\(config.skipped)")
    }

    @Test func onlyTheLoopbackIsNil() {
        #expect(NetworkDescription.fromENI("auto lo\niface lo inet loopback\n") == nil)
        #expect(NetworkDescription.fromENI("") == nil)
        #expect(NetworkDescription.fromENI("# nothing\n") == nil)
    }

    @Test(arguments: [
        ("iface eth0 inet static\n    address 10.0.0.300\n", "ENI iface 'eth0' (line 1)", "address (line 2)"),
        ("iface eth0 inet static\n    netmask 255.255.255.0\n", "ENI iface 'eth0' (line 1)", "address"),
        ("iface eth0 inet static\n    address 10.0.0.5\n", "ENI iface 'eth0' (line 1)", "address (line 2)"),
        (
            "iface eth0 inet static\n    address 10.0.0.5\n    netmask 255.0.255.0\n", "ENI iface 'eth0' (line 1)",
            "netmask (line 3)"
        ),
        ("iface eth0 inet6 static\n    address 10.0.0.5/24\n", "ENI iface 'eth0' (line 1)", "address (line 2)"),
        (
            "iface eth0 inet static\n    address 10.0.0.5/24\n    gateway 2001:db8::1\n", "ENI iface 'eth0' (line 1)",
            "gateway (line 3)"
        ),
        ("iface eth0 inet dhcp\n    hwaddress ether nonsense\n", "ENI iface 'eth0' (line 1)", "hwaddress (line 2)"),
        ("iface eth0 inet dhcp\n    mtu jumbo\n", "ENI iface 'eth0' (line 1)", "mtu (line 2)"),
        ("    address 10.0.0.5\n", "ENI line 1", "address"),
        ("iface eth0 inet\n", "ENI line 1", "iface"),
        (
            "iface eth0 inet static\n    address 10.0.0.5/24\n    dns-nameservers 10.0.0.x\n",
            "ENI iface 'eth0' (line 1)", "dns-nameservers (line 3)"
        ),
        ("iface bond0 inet dhcp\n    bond-slaves eth/7\n", "link 'bond0'", "bond_links"),
    ])
    func malformedInputIsRefusedByName(text: String, subject: String, field: String) throws {
        let error = try Self.refusal(text)
        #expect(error.subject == subject, "\(error)")
        #expect(error.field == field, "\(error)")
    }
}
