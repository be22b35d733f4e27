import AgentBase
import DataSources
import Foundation
import Testing

/// What cloud-init's test_net.py `NETWORK_CONFIGS` cases made the model take (issue 30):
/// `accept-ra` as given, `match: driver` beside a MAC, and routes no network reaches left out
/// instead of refusing the whole description.
@Suite struct NetworkConfigTestNetCasesTests {
    @Test(arguments: [
        // test_net.py `dhcpv6_reject_ra`, v1 and v2.
        "version: 1\nconfig:\n- {type: physical, name: iface0, accept-ra: false, subnets: [{type: dhcp6}]}",
        "version: 2\nethernets: {iface0: {dhcp6: true, accept-ra: false}}",
    ])
    func acceptRAFalseIsTheLinksAndNotSkipped(yaml: String) throws {
        let config = try NetworkConfigV1Tests.model(yaml)
        #expect(config.links.map(\.acceptRA) == [false])
        #expect(config.networks.map(\.method) == [.dhcp6])
        #expect(!config.skipped.contains { $0.contains("accept-ra") }, "\(config.skipped)")
    }

    @Test func acceptRAAbsentSaysNothing() throws {
        let config = try NetworkConfigV1Tests.model("version: 2\nethernets: {iface0: {dhcp6: true}}")
        #expect(config.links.map(\.acceptRA) == [nil])
    }

    @Test func aDriverBesideAMACIsKeptToCheck() throws {
        // test_net.py `bond` (yaml-v2): each member matched by driver and MAC.
        let config = try NetworkConfigV1Tests.model(
            """
            version: 2
            ethernets:
              eth0: {match: {driver: virtio_net, macaddress: "aa:bb:cc:dd:e8:00"}}
              vf0: {set-name: vf0, match: {driver: e1000, macaddress: "aa:bb:cc:dd:e8:01"}}
            bonds:
              bond0: {interfaces: [eth0, vf0], parameters: {mode: active-backup}, dhcp4: true}
            """)
        #expect(config.links.map(\.driver) == ["virtio_net", "e1000", nil])
        #expect(config.links.map(\.macAddress) == ["aa:bb:cc:dd:e8:00", "aa:bb:cc:dd:e8:01", nil])
    }

    @Test(arguments: [
        ("version: 2\nethernets: {eth0: {match: {driver: ixgbe}}}", "a driver alone"),
        ("version: 2\nethernets: {eth0: {match: {driver: 'ixgbe*', name: eth0}}}", "not one driver's name"),
        ("version: 2\nethernets: {eth0: {match: {driver: '../x', name: eth0}}}", "not one driver's name"),
    ])
    func aDriverThatCannotNameOneNICIsRefused(yaml: String, message: String) throws {
        let error = try NetworkConfigV1Tests.refusal(yaml)
        #expect(error.field == "match.driver", "\(error)")
        #expect("\(error)".contains(message), "\(error)")
    }

    @Test func aRouteNoNetworkReachesIsLeftOutNamedAndTheRestKept() throws {
        // test_net.py `small`: MAAS's default route via an address on no subnet of the NIC.
        let config = try NetworkConfigV1Tests.model(
            """
            version: 1
            config:
            - type: physical
              name: eth99
              mac_address: c0:d6:9f:2c:e8:80
              subnets:
              - type: static
                address: 192.168.21.3/24
                routes:
                - {gateway: 65.61.151.37, netmask: 0.0.0.0, network: 0.0.0.0}
                - {gateway: 192.168.21.1, network: 10.0.0.0/8}
              - type: static
                address: 2001:db8::3/64
                routes:
                - {gateway: 'fe80::1', network: '2001:db8:1::', netmask: 'ffff:ffff:ffff::'}
            """)
        let routes = config.networks.flatMap(\.routes).map { "\($0.destination) via \($0.gateway)" }
        #expect(routes == ["10.0.0.0/8 via 192.168.21.1", "2001:db8:1::/48 via fe80::1"])
        #expect(
            config.skipped.contains { $0.contains("0.0.0.0/0 via 65.61.151.37") && $0.contains("no network") },
            "\(config.skipped)")
    }

    @Test func aNetworkDataJSONRouteNoNetworkReachesIsLeftOutToo() throws {
        let json = #"""
            {"links": [{"id": "l", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}],
             "networks": [{"id": "n", "link": "l", "type": "ipv4", "ip_address": "10.0.0.5", "netmask": "24",
               "routes": [{"network": "0.0.0.0", "netmask": "0", "gateway": "172.16.0.1"},
                          {"network": "192.168.0.0", "netmask": "16", "gateway": "10.0.0.1"}]}]}
            """#
        guard case .configuration(let config) = OpenStackNetworkConverter.describe(Data(json.utf8)) else {
            Issue.record("refused")
            return
        }
        #expect(
            config.networks[0].routes.map { "\($0.destination) via \($0.gateway)" } == ["192.168.0.0/16 via 10.0.0.1"])
        #expect(config.skipped.contains { $0.hasPrefix("n: route 0.0.0.0/0 via 172.16.0.1") }, "\(config.skipped)")
    }

    @Test(arguments: ["-1", "4294967296", "high"])
    func aMetricTheKernelCannotHoldIsRefusedByName(metric: String) throws {
        let error = try NetworkConfigV1Tests.refusal(
            "version: 2\nethernets: {eth0: {addresses: [10.0.0.5/24], routes: [{to: 10.1.0.0/16, via: 10.0.0.1, metric: \(metric)}]}}"
        )
        #expect(error.field == "routes[0].metric", "\(error)")
    }

    @Test func anInfiniBandLinkKeepsItsTwentyByteAddressAndIsNamed() throws {
        let config = try NetworkConfigV1Tests.model(
            "version: 1\nconfig:\n- {type: infiniband, name: ib0, mac_address: 'A0:00:02:20:FE:80:00:00:00:00:00:00:EC:0D:9A:03:00:15:E2:C1'}"
        )
        #expect(config.links.map(\.kind) == [.infiniband])
        #expect(config.links.map(\.macAddress) == ["a0:00:02:20:fe:80:00:00:00:00:00:00:ec:0d:9a:03:00:15:e2:c1"])
        #expect(config.links.map(\.name) == ["ib0"])
    }

    @Test func anInfiniBandAddressOfAnotherLengthIsRefusedByName() throws {
        let error = try NetworkConfigV1Tests.refusal(
            "version: 1\nconfig:\n- {type: infiniband, name: ib0, mac_address: 'a0:00:02:20:fe:80'}")
        #expect(error.field == "mac_address" && "\(error)".contains("20-byte"), "\(error)")
    }

    @Test func anIPv6MTUBelowWhatIPv6NeedsIsRefusedByName() throws {
        let error = try NetworkConfigV1Tests.refusal(
            "version: 1\nconfig:\n- {type: physical, name: eth0, subnets: [{type: static6, address: '2001:db8::5/64', mtu: 1000}]}"
        )
        #expect(error.field == "ipv6_mtu" && "\(error)".contains("1280"), "\(error)")
    }

    @Test func bondOptionsAreReadInV1V2AndENISpellings() throws {
        let v1 = try NetworkConfigV1Tests.model(
            """
            version: 1
            config:
            - {type: physical, name: a, mac_address: 'aa:bb:cc:dd:e8:00'}
            - {type: physical, name: b, mac_address: 'aa:bb:cc:dd:e8:01'}
            - {type: bond, name: bond0, bond_interfaces: [a, b], params: {bond_updelay: 20, bond-fail-over-mac: 1, bond-ad-select: count, bond-primary: b}}
            """)
        let v2 = try NetworkConfigV1Tests.model(
            """
            version: 2
            ethernets: {a: {match: {macaddress: 'aa:bb:cc:dd:e8:00'}}, b: {match: {macaddress: 'aa:bb:cc:dd:e8:01'}}}
            bonds: {bond0: {interfaces: [a, b], parameters: {up-delay: 20ms, fail-over-mac-policy: active, ad-select: count, primary: b}}}
            """)
        let eni = try #require(
            NetworkDescription.fromENI(
                "auto bond0\niface bond0 inet manual\n    bond-slaves a b\n    bond-updelay 20\n    bond-fail-over-mac active\n    bond-ad-select count\n    bond-primary b\n"
            ))
        guard case .configuration(let fromENI) = eni else {
            Issue.record("ENI refused: \(eni)")
            return
        }
        for config in [v1, v2, fromENI] {
            guard case .bond(let bond)? = config.links.first(where: { $0.id == "bond0" })?.kind else {
                Issue.record("no bond: \(config.links)")
                continue
            }
            #expect(bond.upDelay == 20 && bond.failOverMAC == "active" && bond.adSelect == "count")
            #expect(bond.primary == "b")
        }
    }

    @Test func aBondPrimaryThatIsNoMemberIsLeftOutNamed() throws {
        // test_net.py's v2 `bond` names `bond0s0` beside members eth0 and vf0.
        let config = try NetworkConfigV1Tests.model(
            "version: 2\nethernets: {eth0: {}, vf0: {}}\nbonds: {bond0: {interfaces: [eth0, vf0], parameters: {primary: bond0s0}}}"
        )
        guard case .bond(let bond)? = config.links.last?.kind else {
            Issue.record("no bond")
            return
        }
        #expect(bond.primary == nil)
        #expect(config.skipped.contains { $0.contains("bond primary 'bond0s0'") }, "\(config.skipped)")
    }

    @Test(arguments: [
        ("fail-over-mac-policy: sometimes", "parameters.fail-over-mac-policy"),
        ("gratuitous-arp: 256", "parameters.gratuitous-arp"),
        ("up-delay: -1", "parameters.up-delay"),
        ("primary-reselect-policy: 7", "parameters.primary-reselect-policy"),
    ])
    func aBondOptionTheKernelRefusesIsRefusedByName(option: String, field: String) throws {
        let error = try NetworkConfigV1Tests.refusal(
            "version: 2\nethernets: {eth0: {}}\nbonds: {bond0: {interfaces: [eth0], parameters: {\(option)}}}")
        #expect(error.field == field, "\(error)")
    }

    @Test func controlManualOnEverySubnetLeavesTheLinkDownAtBoot() throws {
        let config = try NetworkConfigV1Tests.model(
            """
            version: 1
            config:
            - {type: physical, name: a, subnets: [{type: static, address: 10.0.0.2/24, control: manual}]}
            - {type: physical, name: b, subnets: [{type: dhcp, control: manual}, {type: static, address: 10.1.0.2/24}]}
            - {type: physical, name: c}
            """)
        #expect(config.links.map(\.startsAtBoot) == [false, true, true])
        #expect(!config.skipped.contains { $0.contains("control") }, "\(config.skipped)")
    }

    @Test func anUnknownControlIsRefusedByName() throws {
        let error = try NetworkConfigV1Tests.refusal(
            "version: 1\nconfig:\n- {type: physical, name: a, subnets: [{type: dhcp, control: sometimes}]}")
        #expect(error.field == "subnets[0].control", "\(error)")
    }
}
