import DataSources
import Foundation
import Testing

/// The context's variables as metadata. Values are shaped like cloud-init's
/// `test_opennebula.py` constants (SSH_KEY, HOSTNAME, MACADDR, IP6_GLOBAL, ...) and the
/// variables one-context reads (`loc-20-set-username-password`).
@Suite struct OpenNebulaContextTests {
    static func metadata(_ variables: [String: String]) -> InstanceMetadata {
        OpenNebulaContext(variables: variables).metadata(sourceID: "opennebula", location: "/dev/sr0")
    }

    @Test func identityHostnameKeysAndUser() {
        let metadata = Self.metadata([
            "SET_HOSTNAME": "foo.example.com", "HOSTNAME": "ignored",
            "SSH_PUBLIC_KEY":
                "ssh-rsa AAAAB3NzaC1....sIkJhq8wdX+4I3A4cYbYP ubuntu@server-460-1\n\n# a comment\nssh-ed25519 AAAAC3Nz two",
            "USERNAME": "opsadmin",
        ])
        #expect(metadata.instanceID == "iid-dsopennebula")
        #expect(metadata.hostname == "foo.example.com")
        #expect(
            metadata.publicKeys.map(\.line) == [
                "ssh-rsa AAAAB3NzaC1....sIkJhq8wdX+4I3A4cYbYP ubuntu@server-460-1", "ssh-ed25519 AAAAC3Nz two",
            ])
        #expect(metadata.adminUsername == "opsadmin")
        #expect(metadata.platformPassword == nil)
        #expect(metadata.network == nil)
    }

    @Test func hostnameFallsBackToHOSTNAMEAndRootIsNotTheAdmin() {
        let metadata = Self.metadata(["HOSTNAME": "bar", "USERNAME": "root", "SET_HOSTNAME": ""])
        #expect(metadata.hostname == "bar")
        #expect(metadata.adminUsername == nil)
    }

    @Test func passwordsInOneContextsOrder() {
        let hash = "$6$salt$abcdefghijklmnopqrstuv"
        #expect(Self.metadata(["PASSWORD": "pw1"]).platformPassword?.secret == .clearText("pw1"))
        #expect(
            Self.metadata(["PASSWORD": "pw1", "CRYPTED_PASSWORD": hash]).platformPassword?.secret == .cryptHash(hash))
        #expect(
            Self.metadata(["CRYPTED_PASSWORD": hash, "PASSWORD_BASE64": Data("pw2".utf8).base64EncodedString()])
                .platformPassword?.secret == .clearText("pw2"))
        #expect(
            Self.metadata(["PASSWORD_BASE64": "x", "CRYPTED_PASSWORD_BASE64": Data(hash.utf8).base64EncodedString()])
                .platformPassword?.secret == .cryptHash(hash))
        let given = Self.metadata(["PASSWORD": "pw1"]).platformPassword
        #expect(given?.acknowledgement == PasswordAcknowledgement.none)
        #expect(!"\(given!)".contains("pw1"))
    }

    @Test func userDataPlainAndBase64() {
        let text = "#cloud-config\napt_upgrade: true"
        #expect(Self.metadata(["USER_DATA": text]).userData == Data(text.utf8))
        #expect(Self.metadata(["USERDATA": text, "USERDATA_ENCODING": ""]).userData == Data(text.utf8))
        let encoded = Data(text.utf8).base64EncodedString()
        #expect(Self.metadata(["USERDATA": encoded, "USERDATA_ENCODING": "base64"]).userData == Data(text.utf8))
        #expect(Self.metadata(["USER_DATA": encoded, "USER_DATA_ENCODING": "base64"]).userData == Data(text.utf8))
        let broken = Self.metadata(["USER_DATA": "!!not base64!!", "USERDATA_ENCODING": "base64"])
        #expect(broken.userData == nil)
        #expect(broken.unreadableDocuments.count == 1)
    }

    @Test func aStaticNICWithEveryField() throws {
        let metadata = Self.metadata([
            "ETH0_MAC": "02:00:0A:12:01:01", "ETH0_IP": "10.18.1.1", "ETH0_MASK": "255.255.0.0",
            "ETH0_GATEWAY": "10.18.0.1", "ETH0_DNS": "10.18.0.2 10.18.0.3", "DNS": "10.18.0.3 1.1.1.1",
            "ETH0_SEARCH_DOMAIN": "example.com", "ETH0_MTU": "9000",
            "ETH0_IP6": "2001:db8:1:0:400:c0ff:fea8:1ba", "ETH0_IP6_ULA": "fd01:dead:beaf:0:400:c0ff:fea8:1ba",
            "ETH0_IP6_PREFIX_LENGTH": "48", "ETH0_IP6_GATEWAY": "2001:db8:1::ffff",
        ])
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("no configuration: \(String(describing: metadata.network))")
            return
        }
        #expect(config.links.count == 1)
        #expect(config.links[0].macAddress == "02:00:0a:12:01:01")
        #expect(config.links[0].mtu == 9000)
        let ipv4 = try #require(config.networks.first { $0.id == "ETH0-ipv4" })
        #expect(ipv4.staticAddress?.description == "10.18.1.1/16")
        #expect(ipv4.routes.map { "\($0.destination) via \($0.gateway)" } == ["0.0.0.0/0 via 10.18.0.1"])
        #expect(ipv4.dnsServers.map(\.description) == ["10.18.0.2", "10.18.0.3", "1.1.1.1"])
        #expect(ipv4.searchDomains == ["example.com"])
        let ipv6 = config.networks.filter { $0.isIPv6 }
        #expect(
            ipv6.map { $0.staticAddress?.description ?? "" } == [
                "2001:db8:1:0:400:c0ff:fea8:1ba/48", "fd01:dead:beaf:0:400:c0ff:fea8:1ba/48",
            ])
        #expect(ipv6[0].routes.map { "\($0.gateway)" } == ["2001:db8:1::ffff"])
    }

    @Test func defaultsAndMethods() throws {
        let metadata = Self.metadata([
            "ETH0_MAC": "02:00:0a:12:01:01", "ETH0_IP": "10.18.1.1",
            "ETH1_MAC": "02:00:0a:12:01:02", "ETH1_IP": "", "ETH1_METHOD": "dhcp", "ETH1_IP6_METHOD": "auto",
            "ETH2_IP": "10.0.0.9",
        ])
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("no configuration")
            return
        }
        #expect(config.networks.first { $0.linkID == "ETH0" }?.staticAddress?.description == "10.18.1.1/24")
        #expect(config.networks.filter { $0.linkID == "ETH1" }.map(\.method) == [.dhcp4, .slaac])
        #expect(config.skipped.count == 1)
        #expect(config.skipped.first?.hasPrefix("ETH2") == true)
    }

    @Test func aBadAddressIsAnInvalidNetworkNamingTheVariable() {
        let metadata = Self.metadata(["ETH0_MAC": "02:00:0a:12:01:01", "ETH0_IP": "10.18.1.300"])
        guard case .invalid(let error)? = metadata.network else {
            Issue.record("expected invalid")
            return
        }
        #expect(error.field == "ETH0_IP")
    }
}
