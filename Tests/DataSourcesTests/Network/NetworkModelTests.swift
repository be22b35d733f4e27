import DataSources
import Foundation
import TestSupport
import Testing

@Suite struct NetworkModelTests {
    @Test func staticIPv4WithRoutesAndDNS() throws {
        let config = NetworkFixtures.model(NetworkFixtures.staticIPv4)
        #expect(
            config.links == [
                NetworkLink(id: "tapcd9f6d46-4a", kind: .physical, macAddress: "fa:16:3e:00:00:01", mtu: 1450)
            ])
        let network = try #require(config.networks.first)
        #expect(network.staticAddress?.description == "10.0.0.5/24")
        #expect(
            network.routes.map { "\($0.destination) via \($0.gateway)" } == [
                "0.0.0.0/0 via 10.0.0.1", "192.168.0.0/16 via 10.0.0.254",
            ])
        #expect(network.dnsServers.map(\.description) == ["10.0.0.2"])
        #expect(config.dnsServers.map(\.description) == ["8.8.8.8", "8.8.4.4"])
        #expect(config.skipped.isEmpty)
    }

    @Test func ipv6NetmaskExpandedOrPrefixAndUpperCaseMAC() throws {
        let config = NetworkFixtures.model(NetworkFixtures.staticIPv6)
        #expect(config.links.first?.macAddress == "fa:16:3e:00:00:06")
        #expect(config.links.first?.mtu == nil)
        let network = try #require(config.networks.first)
        #expect(network.staticAddress?.description == "2001:db8:0:1::5/64")
        #expect(network.routes.map(\.destination.description) == ["::/0", "2001:db8:100::/48"])
    }

    @Test func bondAndVLANKeepTheirSettings() throws {
        let config = NetworkFixtures.model(NetworkFixtures.bondWithVLAN)
        #expect(
            config.link("bond0")?.kind
                == .bond(
                    BondSettings(
                        members: ["eno1", "eno2"], mode: "802.3ad", miimon: 100,
                        xmitHashPolicy: "layer3+4", lacpRate: "fast")))
        #expect(config.link("bond0")?.mtu == 9000)
        #expect(config.link("vlan100")?.kind == .vlan(VLANSettings(parent: "bond0", vlanID: 100)))
        // vlan_id as a string, address with its prefix in ip_address
        let vlan = NetworkFixtures.model(NetworkFixtures.vlanOnNIC)
        #expect(vlan.link("tap1.42")?.kind == .vlan(VLANSettings(parent: "tap1", vlanID: 42)))
        #expect(vlan.networks.first?.staticAddress?.description == "198.51.100.7/25")
    }

    @Test func dhcpAndAddressModes() {
        let methods: [(String, NetworkSubnet.Method)] = [
            ("ipv4_dhcp", .dhcp4), ("ipv6_dhcp", .dhcp6), ("ipv6_slaac", .slaac),
            ("ipv6_dhcpv6-stateful", .dhcp6), ("ipv6_dhcpv6-stateless", .dhcp6Stateless),
        ]
        for (type, method) in methods {
            let json = """
                {"links": [{"id": "l", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01", "mtu": null}],
                 "networks": [{"id": "n", "link": "l", "type": "\(type)", "network_id": "x"}], "services": []}
                """
            #expect(NetworkFixtures.model(json).networks.first?.method == method, "\(type)")
        }
    }

    @Test func unknownTypesAreReportedByIDAndSkipped() {
        let config = NetworkFixtures.model(NetworkFixtures.unknownTypes)
        #expect(config.links.map(\.id) == ["tapok"])
        #expect(config.networks.map(\.id) == ["network0"])
        #expect(config.skipped.contains("link 'ib0': unknown type 'infiniband', skipped"))
        #expect(config.skipped.contains("link 'ib0.7': its parent 'ib0' was skipped, skipped"))
        #expect(config.skipped.contains("network 'network1': unknown type 'ipv7_magic', skipped"))
        #expect(config.skipped.contains("network 'network2': its link 'ib0' was skipped"))
        #expect(config.skipped.contains { $0.contains("services[0]: unknown type 'ntp'") })
    }

    @Test func novaEmptyDocumentIsAnEmptyModel() {
        #expect(NetworkFixtures.model("{}").links.isEmpty)
    }

    @Test func ec2TwoENIsWithASecondaryAddress() throws {
        let config = try EC2NetworkConverter.convert(NetworkFixtures.ec2Interfaces)
        try NetworkValidator.validate(config)
        #expect(config.links.map(\.macAddress) == ["0a:00:00:00:00:01", "0a:00:00:00:00:02"])
        let summary = config.networks.map { network -> String in
            let method = network.staticAddress.map(\.description) ?? "\(network.method)"
            return "\(network.linkID) \(method) default=\(network.acceptsDefaultRoute)"
        }
        #expect(
            summary == [
                "eni-0a:00:00:00:00:01 dhcp4 default=true",
                "eni-0a:00:00:00:00:01 10.0.0.6/24 default=true",
                "eni-0a:00:00:00:00:01 dhcp6 default=true",
                "eni-0a:00:00:00:00:02 dhcp4 default=false",
            ])
    }

    /// Each hostile or broken document: `.invalid`, naming the subject and the field.
    @Test(arguments: [
        (
            #"{"links": [{"id": "l", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "n", "link": "l", "type": "ipv4", "ip_address": "10.0.0.5", "netmask": "255.0.255.0"}]}"#,
            "network 'n'", "netmask"
        ),
        (
            #"{"links": [{"id": "l", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "n", "link": "l", "type": "ipv4", "ip_address": "10.0.0.5", "netmask": "33"}]}"#,
            "network 'n'", "netmask"
        ),
        (
            #"{"links": [{"id": "l", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "n", "link": "l", "type": "ipv4", "ip_address": "10.0.0.0", "netmask": "24"}]}"#,
            "network 'n'", "ip_address"
        ),
        (
            #"{"links": [{"id": "l", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "n", "link": "l", "type": "ipv4", "ip_address": "10.0.0.5", "netmask": "24", "routes": [{"network": "0.0.0.0", "netmask": "0", "gateway": "2001:db8::1"}]}]}"#,
            "network 'n'", "routes[0].gateway"
        ),
        (
            #"{"links": [{"id": "l", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "n", "link": "l", "type": "ipv4", "ip_address": "10.0.0.5", "netmask": "24", "routes": [{"network": "192.168.1.5", "netmask": "24", "gateway": "10.0.0.1"}]}]}"#,
            "network 'n'", "routes[0].network"
        ),
        (
            #"{"links": [{"id": "v", "type": "vlan", "vlan_link": "nothere", "vlan_id": 5}], "networks": []}"#,
            "link 'v'", "vlan_link"
        ),
        (
            #"{"links": [{"id": "a", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}, {"id": "b", "type": "bond", "bond_links": ["a", "ghost"], "bond_mode": "802.3ad"}], "networks": []}"#,
            "link 'b'", "bond_links"
        ),
        (
            #"{"links": [{"id": "a", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}, {"id": "b", "type": "phy", "ethernet_mac_address": "FA:16:3E:00:00:01"}], "networks": []}"#,
            "link 'b'", "ethernet_mac_address"
        ),
        (
            #"{"links": [{"id": "a", "type": "phy", "mtu": 1000000, "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": []}"#,
            "link 'a'", "mtu"
        ),
        (
            #"{"links": [{"id": "a", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01; rm -rf /"}], "networks": []}"#,
            "link 'a'", "ethernet_mac_address"
        ),
        (
            #"{"links": [{"id": "a", "type": "bond", "bond_links": [], "bond_mode": "802.3ad"}], "networks": []}"#,
            "link 'a'", "bond_links"
        ),
        (
            #"{"links": [{"id": "a", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}, {"id": "b", "type": "bond", "bond_links": ["a"], "bond_mode": "turbo"}], "networks": []}"#,
            "link 'b'", "bond_mode"
        ),
        (
            #"{"links": [{"id": "a", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}, {"id": "v", "type": "vlan", "vlan_link": "a", "vlan_id": 4095}], "networks": []}"#,
            "link 'v'", "vlan_id"
        ),
        (
            #"{"links": [{"id": "a", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "n", "link": "b", "type": "ipv4_dhcp"}]}"#,
            "network 'n'", "link"
        ),
        (
            #"{"links": [{"id": "a", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "n", "link": "a", "type": "ipv4", "ip_address": "10.0.0.5\nauto evil", "netmask": "24"}]}"#,
            "network 'n'", "ip_address"
        ),
        (
            #"{"links": [{"id": "a", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "n", "link": "a", "type": "ipv4", "ip_address": "10.0.0.5\u0000junk", "netmask": "24"}]}"#,
            "network 'n'", "ip_address"
        ),
        (#"{"links": "many"}"#, "network_data.json", "links"),
        (#"[1, 2]"#, "network_data.json", ""),
    ])
    func brokenDocumentsNameSubjectAndField(json: String, subject: String, field: String) {
        guard case .invalid(let error) = OpenStackNetworkConverter.describe(Data(json.utf8)) else {
            Issue.record("accepted: \(json)")
            return
        }
        #expect(error.subject == subject, "\(error)")
        #expect(error.field == field, "\(error)")
    }

    @Test(.ownThread(.computes)) func tenThousandLinksAreRefused() {
        let links = (0..<10_000).map { index in
            #"{"id": "l\#(index)", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:\#(String(format: "%02x:%02x", index / 256, index % 256))"}"#
        }
        let json = #"{"links": [\#(links.joined(separator: ","))], "networks": []}"#
        guard case .invalid(let error) = OpenStackNetworkConverter.describe(Data(json.utf8)) else {
            Issue.record("10,000 links accepted")
            return
        }
        #expect(error.field == "links")
        #expect(error.description.contains("10000 links"))
    }

    @Test func ec2SecondaryAddressOutsideItsSubnetIsRefused() {
        let bad = [
            EC2Interface(
                mac: "0a:00:00:00:00:01", deviceNumber: 0, localIPv4s: ["10.0.0.5", "10.9.0.6"],
                subnetIPv4CIDR: "10.0.0.0/24")
        ]
        guard case .invalid(let error) = EC2NetworkConverter.describe(bad) else {
            Issue.record("accepted")
            return
        }
        #expect(error.subject == "link 'eni-0a:00:00:00:00:01'" && error.field == "local-ipv4s")
    }
}
