import AgentBase
import DataSources
import Foundation
import Testing

/// cloud-init network config version 1 into the model: Proxmox's NoCloud output (its
/// `nocloud_network` writes exactly these shapes), cloud-init's documented entry types, and
/// refusals naming the entry and field.
@Suite struct NetworkConfigV1Tests {
    static func describe(_ yaml: String) throws -> NetworkDescription? {
        let value = try #require(try YAMLParser.parse(yaml))
        return NetworkDescription.fromCloudInitNetworkConfig(value)
    }

    static func model(_ yaml: String) throws -> NetworkConfiguration {
        let description = try describe(yaml)
        guard case .configuration(let config)? = description else {
            Issue.record("not a configuration: \(String(describing: description))")
            throw CancellationError()
        }
        return config
    }

    static func refusal(_ yaml: String) throws -> NetworkConfigError {
        let description = try describe(yaml)
        guard case .invalid(let error)? = description else {
            Issue.record("not refused: \(String(describing: description))")
            throw CancellationError()
        }
        return error
    }

    /// Proxmox VE `nocloud_network`: static IPv4 with netmask and gateway, static6 with the
    /// prefix in the address, a nameserver entry with lists.
    static let proxmoxStatic = """
        version: 1
        config:
            - type: physical
              name: eth0
              mac_address: 'bc:24:11:aa:bb:01'
              subnets:
              - type: static
                address: '192.0.2.10'
                netmask: '255.255.255.0'
                gateway: '192.0.2.1'
              - type: static6
                address: '2001:db8::10/64'
                gateway: '2001:db8::1'
            - type: nameserver
              address:
              - '192.0.2.53'
              search:
              - 'example.com'
        """

    @Test func proxmoxStaticIPv4AndIPv6() throws {
        let config = try Self.model(Self.proxmoxStatic)
        var link = NetworkLink(id: "eth0", kind: .physical, macAddress: "bc:24:11:aa:bb:01", name: "eth0")
        // A v1 name beside a MAC is the name the NIC is given, as cloud-init renames it.
        link.newName = "eth0"
        #expect(config.links == [link])
        #expect(config.networks.map { $0.staticAddress?.description } == ["192.0.2.10/24", "2001:db8::10/64"])
        #expect(
            config.networks.flatMap(\.routes).map { "\($0.destination) via \($0.gateway)" } == [
                "0.0.0.0/0 via 192.0.2.1", "::/0 via 2001:db8::1",
            ])
        #expect(config.dnsServers.map(\.description) == ["192.0.2.53"])
        #expect(config.searchDomains == ["example.com"])
        #expect(config.skipped.isEmpty, "\(config.skipped)")
    }

    @Test func proxmoxDHCPAndSLAACUnderANetworkKey() throws {
        let config = try Self.model(
            """
            network:
              version: 1
              config:
                - type: physical
                  name: eth1
                  mac_address: 'bc:24:11:aa:bb:02'
                  subnets:
                  - type: dhcp4
                  - type: ipv6_slaac
                - type: physical
                  name: eth2
                  mac_address: 'bc:24:11:aa:bb:03'
                  subnets:
                  - type: dhcp
                  - type: dhcp6
            """)
        #expect(config.networks.map(\.method) == [.dhcp4, .slaac, .dhcp4, .dhcp6])
        #expect(config.networks.map(\.linkID) == ["eth1", "eth1", "eth2", "eth2"])
    }

    @Test func everyIPv6SubnetType() throws {
        let config = try Self.model(
            """
            version: 1
            config:
              - {type: physical, name: ens3, subnets: [{type: ipv6_dhcpv6-stateless}, {type: ipv6_dhcpv6-stateful}]}
            """)
        #expect(config.networks.map(\.method) == [.dhcp6Stateless, .dhcp6])
        // No MAC: the NIC is found by its name.
        #expect(config.links.first?.macAddress == nil)
        #expect(config.links.first?.name == "ens3")
    }

    @Test func bondVLANAndBridgeWithParams() throws {
        let config = try Self.model(
            """
            version: 1
            config:
              - {type: physical, name: gbe0, mac_address: 'cd:11:22:33:44:00'}
              - {type: physical, name: gbe1, mac_address: 'cd:11:22:33:44:02'}
              - type: bond
                name: bond0
                bond_interfaces: [gbe0, gbe1]
                params: {bond-mode: 802.3ad, bond-lacp-rate: fast, bond-miimon: 100, bond-xmit-hash-policy: layer3+4}
              - {type: vlan, name: bond0.200, vlan_link: bond0, vlan_id: 200, subnets: [{type: dhcp4}]}
              - type: bridge
                name: br0
                bridge_interfaces: [bond0.200]
                params: {bridge_stp: 'on', bridge_fd: 4, bridge_hello: 2, bridge_gcint: 1}
                subnets: [{type: static, address: 10.0.0.2/24}]
            """)
        #expect(
            config.link("bond0")?.kind
                == .bond(
                    BondSettings(
                        members: ["gbe0", "gbe1"], mode: "802.3ad", miimon: 100, xmitHashPolicy: "layer3+4",
                        lacpRate: "fast")))
        #expect(config.link("bond0.200")?.kind == .vlan(VLANSettings(parent: "bond0", vlanID: 200)))
        var bridge = BridgeSettings(members: ["bond0.200"], stp: true, forwardDelay: 4)
        bridge.options[.helloTime] = 2
        #expect(config.link("br0")?.kind == .bridge(bridge))
        // The parameter the model has no room for is named, not dropped in silence.
        #expect(config.skipped.contains { $0.contains("'br0'") && $0.contains("bridge_gcint") }, "\(config.skipped)")
    }

    @Test func subnetDNSRoutesAndGlobalRoute() throws {
        let config = try Self.model(
            """
            version: 1
            config:
              - type: physical
                name: interface0
                mac_address: '00:11:22:33:44:55'
                subnets:
                  - type: static
                    address: 10.184.225.122
                    netmask: 255.255.255.252
                    dns_nameservers: 10.184.225.1 8.8.8.8
                    dns_search: [exemplary]
                    routes:
                      - {gateway: 10.184.225.121, netmask: 255.240.0.0, network: 10.176.0.0}
              - {type: route, destination: 192.168.0.0/16, gateway: 10.184.225.121, metric: 3}
              - {type: route, destination: 192.168.24.0/24, gateway: 192.168.24.1}
            """)
        let network = try #require(config.networks.first)
        #expect(network.staticAddress?.description == "10.184.225.122/30")
        #expect(network.dnsServers.map(\.description) == ["10.184.225.1", "8.8.8.8"])
        #expect(network.searchDomains == ["exemplary"])
        #expect(
            network.routes.map { "\($0.destination) via \($0.gateway)" } == [
                "10.176.0.0/12 via 10.184.225.121", "192.168.0.0/16 via 10.184.225.121",
            ])
        #expect(network.routes.map(\.metric) == [nil, 3])
        // The route whose gateway no subnet holds is named in `skipped`.
        #expect(config.skipped.contains { $0.contains("192.168.24.0/24 via 192.168.24.1") }, "\(config.skipped)")
    }

    @Test func nothingToConfigureIsNil() throws {
        #expect(try Self.describe("network: {config: disabled}") == nil)
        #expect(try Self.describe("config: disabled") == nil)
        #expect(try Self.describe("version: 1\nconfig: []") == nil)
        #expect(try Self.describe("{}") == nil)
        #expect(try Self.describe("version: 1\nconfig: [{type: nameserver, address: [1.1.1.1]}]") == nil)
    }

    @Test func jsonNetworkConfigGoesThroughTheYAMLParser() throws {
        let config = try Self.model(
            """
            {"version": 1, "config": [{"type": "physical", "name": "eth0", "mac_address": "52:54:00:12:34:00",
              "subnets": [{"type": "static", "address": "192.168.1.5/24", "gateway": "192.168.1.1"}]}]}
            """)
        #expect(config.networks.first?.staticAddress?.description == "192.168.1.5/24")
        #expect(config.links.first?.macAddress == "52:54:00:12:34:00")
    }

    @Test(arguments: [
        (
            "version: 1\nconfig: [{type: physical, name: eth0, subnets: [{type: static, address: 10.0.0.300/24}]}]",
            "network-config config[0] 'eth0'", "subnets[0].address"
        ),
        (
            "version: 1\nconfig: [{type: physical, name: eth0, subnets: [{type: static, address: 10.0.0.3, netmask: 255.0.255.0}]}]",
            "network-config config[0] 'eth0'", "subnets[0].netmask"
        ),
        (
            "version: 1\nconfig: [{type: physical, name: eth0, mac_address: 'zz:11:22:33:44:55'}]",
            "network-config config[0] 'eth0'", "mac_address"
        ),
        (
            "version: 1\nconfig: [{type: physical, mac_address: '00:11:22:33:44:55'}]", "network-config config[0]",
            "name"
        ),
        ("version: 1\nconfig: [{type: vlan, name: v1, vlan_link: eth0}]", "network-config config[0] 'v1'", "vlan_id"),
        (
            "version: 1\nconfig: [{type: physical, name: eth0, subnets: [{type: static6, address: 10.0.0.5/24}]}]",
            "network-config config[0] 'eth0'", "subnets[0].address"
        ),
        (
            "version: 1\nconfig: [{type: physical, name: eth0, subnets: [{type: static, address: 10.0.0.5/24, gateway: '2001:db8::1'}]}]",
            "network-config config[0] 'eth0'", "subnets[0].gateway"
        ),
        // cloud-init would guess /24; a wrong guess cuts the instance off.
        (
            "version: 1\nconfig: [{type: physical, name: eth0, subnets: [{type: static, address: 10.0.0.5}]}]",
            "network-config config[0] 'eth0'", "subnets[0].address"
        ),
        ("version: 3\nconfig: []", "network-config", "version"),
        ("config: [{type: physical, name: eth0}]", "network-config", "version"),
        ("version: 1\nconfig: [{type: bond, name: bond0, bond_interfaces: [eth9]}]", "link 'bond0'", "bond_links"),
        (
            "version: 1\nconfig: [{type: physical, name: 'eth0 up', mac_address: '00:11:22:33:44:55'}]",
            "link 'eth0 up'", "name"
        ),
    ])
    func malformedInputIsRefusedByName(yaml: String, subject: String, field: String) throws {
        let error = try Self.refusal(yaml)
        #expect(error.subject == subject, "\(error)")
        #expect(error.field == field, "\(error)")
    }

    @Test func anUnquotedDigitsOnlyMACSaysToQuoteIt() throws {
        // 12:34:56:12:34:56 is a YAML 1.1 base-60 integer, as cloud-init's documentation warns.
        let error = try Self.refusal(
            "version: 1\nconfig: [{type: physical, name: eth0, mac_address: 12:34:56:12:34:56}]")
        #expect(error.field == "mac_address")
        #expect(error.reason.contains("quote"))
    }

    @Test func unknownTypesAndKeysAreNamedInSkipped() throws {
        let config = try Self.model(
            """
            version: 1
            config:
              - {type: physical, name: eth0, id: eth0, tx-queue: 9, subnets: [{type: dhcp, bogus: 1}]}
              - {type: wifi, name: wlan0}
            """)
        #expect(config.links.map(\.id) == ["eth0"])
        #expect(config.skipped.contains { $0.contains("config[1]") && $0.contains("wifi") }, "\(config.skipped)")
        #expect(config.skipped.contains { $0.contains("tx-queue") }, "\(config.skipped)")
        #expect(config.skipped.contains { $0.contains("bogus") }, "\(config.skipped)")
        // `id` (MAAS writes it) says nothing more than the name.
        #expect(!config.skipped.contains { $0.contains("'id'") }, "\(config.skipped)")
    }
}
