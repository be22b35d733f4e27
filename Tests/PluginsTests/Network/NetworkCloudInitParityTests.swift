import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// Issue 30: what the renderers dropped or said differently from cloud-init 22.4.2 on its own
/// samples (Tests/NetworkDifferential has the whole comparison; these pin each fix alone).
@Suite struct NetworkCloudInitParityTests {
    static let renderers: [NetworkRenderer] = [.eni, .netplan, .networkd, .networkmanager]

    static func text(_ renderer: NetworkRenderer, _ json: String, nics: [String: String]) -> String {
        let network = NetworkResolver.resolve(NetworkFixtures.model(json), nics: GuestNICs(byMAC: nics)).network
        return RendererSelection.render(renderer, network).map(\.text).joined(separator: "\n")
    }

    /// configdrive NETWORK_DATA_VLAN: the VLAN has its own MAC (`vlan_mac_address`).
    static let vlanWithItsOwnMAC = """
        {"links": [{"id": "tap1", "type": "ovs", "ethernet_mac_address": "fa:16:3e:69:b0:58"},
                   {"id": "tap1.602", "type": "vlan", "vlan_link": "tap1", "vlan_id": 602,
                    "vlan_mac_address": "fa:16:3e:b3:72:30"}],
         "networks": [{"id": "n0", "link": "tap1.602", "type": "ipv4", "ip_address": "10.1.1.3",
                       "netmask": "255.255.255.0", "routes": []}],
         "services": []}
        """

    @Test(arguments: renderers)
    func aVLANKeepsItsOwnMAC(renderer: NetworkRenderer) {
        let text = Self.text(renderer, Self.vlanWithItsOwnMAC, nics: ["fa:16:3e:69:b0:58": "eth0"])
        let expected: String =
            switch renderer {
            case .eni: "hwaddress ether fa:16:3e:b3:72:30"
            case .netplan: "macaddress: \"fa:16:3e:b3:72:30\""
            case .networkd: "MACAddress=fa:16:3e:b3:72:30"
            default: "cloned-mac-address=FA:16:3E:B3:72:30"
            }
        #expect(text.contains(expected), "\(renderer):\n\(text)")
    }

    @Test func aNetworkManagerVLANsMTUIsAWiredProperty() {
        let json = Self.vlanWithItsOwnMAC.replacingOccurrences(
            of: "\"vlan_id\": 602,", with: "\"vlan_id\": 602, \"mtu\": 1400,")
        let text = Self.text(.networkmanager, json, nics: ["fa:16:3e:69:b0:58": "eth0"])
        // NetworkManager has no vlan.mtu: it would drop the key without a word.
        #expect(text.contains("[ethernet]\ncloned-mac-address=FA:16:3E:B3:72:30\nmtu=1400"), "\(text)")
        #expect(!text.contains("[vlan]\nid=602\nparent=eth0\nmtu"), "\(text)")
    }

    /// test_net OS_SAMPLES / configdrive NETWORK_DATA: DHCP only, DNS from `services`.
    @Test func eniGivesADHCPOnlyNICTheGlobalNameServers() {
        let json = """
            {"links": [{"id": "tap0", "type": "ovs", "ethernet_mac_address": "fa:16:3e:00:00:01"}],
             "networks": [{"id": "n0", "link": "tap0", "type": "ipv4_dhcp"}],
             "services": [{"type": "dns", "address": "8.8.8.8"}]}
            """
        let text = Self.text(.eni, json, nics: ["fa:16:3e:00:00:01": "eth0"])
        #expect(text.contains("iface eth0 inet dhcp\n    dns-nameservers 8.8.8.8"), "\(text)")
    }

    /// cloud-init says nothing about router advertisements on an IPv4-only NIC: the kernel's
    /// default holds. Static IPv6 refuses them on every backend (the routes are in the metadata).
    @Test(arguments: renderers)
    func routerAdvertisementsAreOnlyRefusedWithStaticIPv6(renderer: NetworkRenderer) {
        let ipv4 = Self.text(renderer, NetworkFixtures.staticIPv4, nics: ["fa:16:3e:00:00:01": "ens3"])
        for spelling in ["accept-ra", "IPv6AcceptRA", "accept_ra", "LinkLocalAddressing"] {
            #expect(!ipv4.contains(spelling), "\(renderer):\n\(ipv4)")
        }
        let ipv6 = Self.text(renderer, NetworkFixtures.staticIPv6, nics: ["fa:16:3e:00:00:06": "ens3"])
        let refusal: String =
            switch renderer {
            case .eni: "accept_ra 0"
            case .netplan: "accept-ra: false"
            case .networkd: "IPv6AcceptRA=no"
            default: "method=manual"
            }
        #expect(ipv6.contains(refusal), "\(renderer):\n\(ipv6)")
    }
}
