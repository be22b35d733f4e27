import DataSources
import Foundation

/// `network_data.json` documents shaped like nova's and Ironic's output, for the network
/// model and renderer tests. MACs are fixed so tests can make NICs (or veths) that match.
public enum NetworkFixtures {
    /// One NIC, static IPv4 with a default and an extra route, global DNS.
    public static let staticIPv4 = """
        {"links": [{"id": "tapcd9f6d46-4a", "vif_id": "cd9f6d46-4a3b-4c5d-8e9f-001122334455", "type": "ovs", "mtu": 1450,
                    "ethernet_mac_address": "fa:16:3e:00:00:01"}],
         "networks": [{"id": "network0", "link": "tapcd9f6d46-4a", "network_id": "11111111-2222-3333-4444-555555555555",
                       "type": "ipv4", "ip_address": "10.0.0.5", "netmask": "255.255.255.0",
                       "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.0.0.1"},
                                  {"network": "192.168.0.0", "netmask": "255.255.0.0", "gateway": "10.0.0.254"}],
                       "services": [{"type": "dns", "address": "10.0.0.2"}]}],
         "services": [{"type": "dns", "address": "8.8.8.8"}, {"type": "dns", "address": "8.8.4.4"}]}
        """

    /// Static IPv6 with an expanded netmask and routes.
    public static let staticIPv6 = """
        {"links": [{"id": "tap6", "type": "phy", "mtu": null, "ethernet_mac_address": "FA:16:3E:00:00:06"}],
         "networks": [{"id": "network6", "link": "tap6", "network_id": "n6", "type": "ipv6",
                       "ip_address": "2001:db8:0:1::5", "netmask": "ffff:ffff:ffff:ffff::",
                       "routes": [{"network": "::", "netmask": "::", "gateway": "2001:db8:0:1::1"},
                                  {"network": "2001:db8:100::", "netmask": "48", "gateway": "fe80::1"}]}],
         "services": [{"type": "dns", "address": "2001:4860:4860::8888"}]}
        """

    /// Ironic-style bond (802.3ad, layer3+4, miimon, MTU 9000) of two NICs with a VLAN on top.
    public static let bondWithVLAN = """
        {"links": [{"id": "eno1", "type": "phy", "mtu": 9000, "ethernet_mac_address": "fa:16:3e:00:00:11"},
                   {"id": "eno2", "type": "phy", "mtu": 9000, "ethernet_mac_address": "fa:16:3e:00:00:12"},
                   {"id": "bond0", "type": "bond", "bond_links": ["eno1", "eno2"], "bond_mode": "802.3ad",
                    "bond_miimon": 100, "bond_xmit_hash_policy": "layer3+4", "bond_lacp_rate": "fast", "mtu": 9000,
                    "ethernet_mac_address": "fa:16:3e:00:00:11"},
                   {"id": "vlan100", "type": "vlan", "vlan_link": "bond0", "vlan_id": 100, "mtu": 1500,
                    "vlan_mac_address": "fa:16:3e:00:00:11"}],
         "networks": [{"id": "network0", "link": "vlan100", "network_id": "n0", "type": "ipv4",
                       "ip_address": "192.0.2.10", "netmask": "24",
                       "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "192.0.2.1"}]}],
         "services": []}
        """

    /// A VLAN on a plain NIC, the NIC itself unaddressed.
    public static let vlanOnNIC = """
        {"links": [{"id": "tap1", "type": "tap", "mtu": 1500, "ethernet_mac_address": "fa:16:3e:00:00:21"},
                   {"id": "tap1.42", "type": "vlan", "vlan_link": "tap1", "vlan_id": "42", "vlan_mac_address": "fa:16:3e:00:00:21"}],
         "networks": [{"id": "network1", "link": "tap1.42", "network_id": "n1", "type": "ipv4",
                       "ip_address": "198.51.100.7/25", "routes": []}],
         "services": []}
        """

    /// DHCPv4 and SLAAC on one NIC, null MTU.
    public static let dhcpAndSLAAC = """
        {"links": [{"id": "tapd", "type": "bridge", "mtu": null, "ethernet_mac_address": "fa:16:3e:00:00:31"}],
         "networks": [{"id": "network0", "link": "tapd", "network_id": "n0", "type": "ipv4_dhcp"},
                      {"id": "network1", "link": "tapd", "network_id": "n1", "type": "ipv6_slaac",
                       "ip_address": "2001:db8::f816:3eff:fe00:31", "netmask": "ffff:ffff:ffff:ffff::", "routes": []}],
         "services": []}
        """

    /// Two NICs on the same neutron network.
    public static let twoNICsSameNetwork = """
        {"links": [{"id": "tapa", "type": "ovs", "mtu": 1450, "ethernet_mac_address": "fa:16:3e:00:00:41"},
                   {"id": "tapb", "type": "ovs", "mtu": 1450, "ethernet_mac_address": "fa:16:3e:00:00:42"}],
         "networks": [{"id": "network0", "link": "tapa", "network_id": "same", "type": "ipv4",
                       "ip_address": "10.1.0.10", "netmask": "255.255.255.0",
                       "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.1.0.1"}]},
                      {"id": "network1", "link": "tapb", "network_id": "same", "type": "ipv4",
                       "ip_address": "10.1.0.11", "netmask": "255.255.255.0", "routes": []}],
         "services": []}
        """

    /// Unknown link and network types next to good ones: the good ones are kept.
    public static let unknownTypes = """
        {"links": [{"id": "tapok", "type": "vif", "mtu": 1500, "ethernet_mac_address": "fa:16:3e:00:00:51"},
                   {"id": "ib0", "type": "infiniband", "ethernet_mac_address": "fa:16:3e:00:00:52"},
                   {"id": "ib0.7", "type": "vlan", "vlan_link": "ib0", "vlan_id": 7}],
         "networks": [{"id": "network0", "link": "tapok", "network_id": "n0", "type": "ipv4",
                       "ip_address": "10.2.0.5", "netmask": "255.255.0.0", "routes": []},
                      {"id": "network1", "link": "tapok", "network_id": "n1", "type": "ipv7_magic"},
                      {"id": "network2", "link": "ib0", "network_id": "n2", "type": "ipv4_dhcp"}],
         "services": [{"type": "ntp", "address": "10.2.0.1"}]}
        """

    /// EC2: two ENIs, the primary with a secondary private IPv4 and IPv6.
    public static let ec2Interfaces = [
        EC2Interface(
            mac: "0a:00:00:00:00:01", deviceNumber: 0, localIPv4s: ["10.0.0.5", "10.0.0.6"],
            subnetIPv4CIDR: "10.0.0.0/24", ipv6s: ["2600:1f18::5"], subnetIPv6CIDRs: ["2600:1f18::/64"]),
        EC2Interface(
            mac: "0a:00:00:00:00:02", deviceNumber: 1, localIPv4s: ["10.0.1.7"], subnetIPv4CIDR: "10.0.1.0/24"),
    ]

    /// The validated model of a fixture; fails the test run loudly if the fixture is bad.
    public static func model(_ json: String) -> NetworkConfiguration {
        guard case .configuration(let config) = OpenStackNetworkConverter.describe(Data(json.utf8)) else {
            fatalError("fixture does not convert: \(OpenStackNetworkConverter.describe(Data(json.utf8)))")
        }
        return config
    }
}
