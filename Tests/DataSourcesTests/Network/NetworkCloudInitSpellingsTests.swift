import DataSources
import Foundation
import TestSupport
import Testing

/// Issue 30: the spellings cloud-init 22.4.2 accepts in its own samples (configdrive
/// NETWORK_DATA_BOND and NETWORK_DATA_3, test_net OS_SAMPLES[2]) are accepted with cloud-init's
/// meaning; what no sample needs stays refused.
@Suite struct NetworkCloudInitSpellingsTests {
    /// The model, or a test failure naming the refusal (not a crash: the other cases still run).
    static func converted(_ json: String) throws -> NetworkConfiguration {
        switch OpenStackNetworkConverter.describe(Data(json.utf8)) {
        case .configuration(let config): return config
        case .invalid(let error): throw error
        }
    }

    @Test(arguments: [
        ("\"4\"", "802.3ad"), ("4", "802.3ad"), ("\"0\"", "balance-rr"), ("1", "active-backup"),
        ("\"6\"", "balance-alb"), ("\"balance-xor\"", "balance-xor"),
    ])
    func bondModesByNameOrKernelNumber(json: String, mode: String) throws {
        let config = try Self.converted(
            #"{"links": [{"id": "a", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}, {"id": "b", "type": "bond", "bond_links": ["a"], "bond_mode": \#(json)}], "networks": []}"#
        )
        guard case .bond(let bond) = try #require(config.link("b")).kind else {
            Issue.record("not a bond")
            return
        }
        #expect(bond.mode == mode)
    }

    @Test(arguments: ["\"7\"", "7", "true", "\"4x\"", "4.5"])
    func otherBondModesAreRefused(json: String) {
        let document =
            #"{"links": [{"id": "a", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}, {"id": "b", "type": "bond", "bond_links": ["a"], "bond_mode": \#(json)}], "networks": []}"#
        guard case .invalid(let error) = OpenStackNetworkConverter.describe(Data(document.utf8)) else {
            Issue.record("accepted bond_mode \(json)")
            return
        }
        #expect(error.field == "bond_mode", "\(error)")
    }

    @Test func aNullLinkTypeIsANIC() throws {
        let config = try Self.converted(
            #"{"links": [{"id": "tap7", "type": null, "mtu": null, "ethernet_mac_address": "fa:16:3e:a8:14:69"}], "networks": [{"id": "n", "link": "tap7", "type": "ipv4_dhcp"}]}"#
        )
        #expect(config.links == [NetworkLink(id: "tap7", kind: .physical, macAddress: "fa:16:3e:a8:14:69")])
        #expect(config.networks.map(\.id) == ["n"])
        // Without a type at all it stays refused (cloud-init fails on it too).
        let untyped = #"{"links": [{"id": "tap7", "ethernet_mac_address": "fa:16:3e:a8:14:69"}], "networks": []}"#
        guard case .invalid(let error) = OpenStackNetworkConverter.describe(Data(untyped.utf8)) else {
            Issue.record("accepted a link without a type")
            return
        }
        #expect(error.field == "type")
    }

    @Test(arguments: [#""netmask": "","#, #""netmask": null,"#, ""])
    func anIPv6NetworkWithoutANetmaskIsASlash64(netmask: String) throws {
        let config = try Self.converted(
            #"{"links": [{"id": "l", "type": "bridge", "ethernet_mac_address": "fa:16:3e:ed:9a:59"}], "networks": [{"id": "n", "link": "l", "type": "ipv6", \#(netmask) "ip_address": "2001:DB8::10", "routes": [{"gateway": "2001:DB8::1", "netmask": "::", "network": "::"}]}]}"#
        )
        #expect(config.networks.first?.staticAddress?.description == "2001:db8::10/64")
        #expect(config.networks.first?.routes.map(\.destination.description) == ["::/0"])
    }

    @Test func anIPv4NetworkWithoutANetmaskIsStillRefused() {
        // cloud-init would guess /24; a wrong guess cuts the instance off, so the agent asks for the netmask.
        let document =
            #"{"links": [{"id": "l", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:01"}], "networks": [{"id": "n", "link": "l", "type": "ipv4", "ip_address": "10.0.0.5", "netmask": ""}]}"#
        guard case .invalid(let error) = OpenStackNetworkConverter.describe(Data(document.utf8)) else {
            Issue.record("accepted")
            return
        }
        #expect(error.subject == "network 'n'" && error.field == "netmask", "\(error)")
    }

}
