import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// Hetzner's metadata YAML and user data read into the agent's metadata, from documents
/// shaped like cloud-init's tests/unittests/sources/test_hetzner.py and afterburn's
/// src/providers/hetzner/mock_tests.rs.
@Suite struct HetznerSourceTests {
    static let vendor = ["sys_vendor": "Hetzner", "product_serial": "123456"]
    static let base = "/hetzner/v1/"

    /// cloud-init's `METADATA`, except that its IPv6 subnet says `type: static` (cloud-init's
    /// fixture has none; see `aSubnetWithoutTypeIsNamedNotGuessed`) and its key is one line.
    static let metadata = """
        hostname: cloudinit-test
        instance-id: 123456
        local-ipv4: ''
        network-config:
          config:
          - mac_address: 96:00:00:08:19:da
            name: eth0
            subnets:
            - dns_nameservers:
              - 185.12.64.1
              - 185.12.64.2
              ipv4: true
              type: dhcp
            - address: 2a01:4f8:beef:beef::1/64
              dns_nameservers:
              - 2a01:4ff:ff00::add:2
              - 2a01:4ff:ff00::add:1
              gateway: fe80::1
              ipv6: true
              type: static
            type: physical
          version: 1
        public-ipv4: 192.168.0.2
        public-keys:
        - ssh-ed25519 AAAAC3Nzac1lZdI1NTE5AaaAIaFrcac0yVITsmRrmueq6MD0qYNKlEvW8O1Ib4nkhmWh test-key@workstation
        vendor_data: "test"
        """

    static let userData = "#cloud-config\nruncmd:\n- [touch, /root/cloud-init-worked ]\n"

    /// cloud-init's `PRIVATE_NETWORKS`.
    static let privateNetworks = """
        - ip: 10.1.0.2
          alias_ips: []
          interface_num: 2
          mac_address: 86:00:00:aa:5d:f8
          network_id: 11352901
          network_name: network-2
          network: 10.1.0.0/16
          subnet: 10.1.0.0/24
          gateway: 10.1.0.1
        """

    static func load(
        metadata: String = metadata, userData: (Int, String)? = (200, userData), privateNetworks: String? = nil,
        dmi: [String: String] = vendor
    ) async throws -> (InstanceMetadata?, RecordingCloudTransport) {
        let root = try dmiRoot(dmi)
        var routes: [String: (status: Int, body: Data)] = [base + "metadata": (200, Data(metadata.utf8))]
        if let privateNetworks { routes[base + "metadata/private-networks"] = (200, Data(privateNetworks.utf8)) }
        if let userData { routes[base + "userdata"] = (userData.0, Data(userData.1.utf8)) }
        let transport = RecordingCloudTransport(routes)
        return (try await HetznerSource(root: SystemRoot(root.path), client: transport.client).load(), transport)
    }

    @Test func theServersMetadataAndUserDataAreRead() async throws {
        let (loaded, transport) = try await Self.load()
        let metadata = try #require(loaded)
        #expect(metadata.sourceID == "hetzner")
        #expect(metadata.instanceID == "123456")
        #expect(metadata.hostname == "cloudinit-test")
        #expect(metadata.publicKeys.map(\.line).first?.hasPrefix("ssh-ed25519 AAAAC3Nzac1l") == true)
        #expect(metadata.userData == Data(Self.userData.utf8))
        #expect(metadata.vendorUserData == Data("test".utf8))
        #expect(
            Set(transport.requests.map(\.url.absoluteString)) == [
                "http://169.254.169.254/hetzner/v1/metadata", "http://169.254.169.254/hetzner/v1/userdata",
                "http://169.254.169.254/hetzner/v1/metadata/private-networks",
            ])
    }

    @Test func theNetworkConfigGoesThroughTheV1Converter() async throws {
        let metadata = try #require(try await Self.load().0)
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration, got \(String(describing: metadata.network))")
            return
        }
        #expect(config.links.map(\.name) == ["eth0"])
        #expect(config.links.first?.macAddress == "96:00:00:08:19:da")
        #expect(config.networks.map(\.method) == [.dhcp4, .staticAddress(config.networks[1].staticAddress!)])
        #expect(config.networks.last?.staticAddress?.description == "2a01:4f8:beef:beef::1/64")
        #expect(config.networks.last?.routes.map { "\($0.gateway)" } == ["fe80::1"])
    }

    /// Each private network attachment is a DHCP link, matched by its MAC, as cloud-init adds it.
    @Test func privateNetworksAreDHCPLinks() async throws {
        let metadata = try #require(try await Self.load(privateNetworks: Self.privateNetworks).0)
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration, got \(String(describing: metadata.network))")
            return
        }
        #expect(config.links.map(\.macAddress) == ["96:00:00:08:19:da", "86:00:00:aa:5d:f8"])
        #expect(config.networks.filter { $0.linkID == "eth2" }.map(\.method) == [.dhcp4])
        #expect(try await Self.load(privateNetworks: "[]").0?.network == (try await Self.load().0?.network))
    }

    @Test func privateNetworksThatAreNotAListAreNamed() async throws {
        await #expect {
            _ = try await Self.load(privateNetworks: "a: 1")
        } throws: {
            "\($0)"
                == "malformed document at http://169.254.169.254/hetzner/v1/metadata/private-networks: top level is not a list"
        }
    }

    /// cloud-init's own fixture has an IPv6 subnet without `type`; cloud-init's network
    /// state would fail on it (`subnet.get("type").endswith`), the agent names it.
    @Test func aSubnetWithoutTypeIsNamedNotGuessed() async throws {
        let typeless = Self.metadata.replacingOccurrences(
            of: "      ipv6: true\n      type: static\n", with: "      ipv6: true\n")
        let metadata = try #require(try await Self.load(metadata: typeless).0)
        guard case .invalid(let error)? = metadata.network else {
            Issue.record("expected an invalid network, got \(String(describing: metadata.network))")
            return
        }
        #expect("\(error)".contains("subnets[1]"), "\(error)")
        #expect("\(error)".contains("type"), "\(error)")
    }

    @Test func base64UserDataIsDecodedAndNoContentIsNone() async throws {
        let encoded = Data(Self.userData.utf8).base64EncodedString()
        #expect(try await Self.load(userData: (200, encoded)).0?.userData == Data(Self.userData.utf8))
        #expect(try await Self.load(userData: (204, "")).0?.userData == nil)
        #expect(try await Self.load(userData: nil).0?.userData == nil)
    }

    @Test func aDocumentForAnotherServerIsRefused() async throws {
        await #expect {
            _ = try await Self.load(dmi: ["sys_vendor": "Hetzner", "product_serial": "999"])
        } throws: {
            "\($0)"
                == "malformed document at http://169.254.169.254/hetzner/v1/metadata: instance-id '123456' is not the DMI serial '999'"
        }
    }

    @Test func withoutTheDMISignalNoRequestIsMade() async throws {
        for dmi in [[:], ["sys_vendor": "QEMU"], ["product_name": "Hetzner"], ["sys_vendor": "hetzner"]] {
            let (loaded, transport) = try await Self.load(dmi: dmi)
            #expect(loaded == nil, "\(dmi)")
            #expect(transport.requests.isEmpty, "\(dmi): \(transport.requests.map(\.url))")
        }
    }

    @Test(arguments: [
        ("[a, b]", "top level is not a mapping"),
        ("hostname: x\n", "has no 'instance-id'"),
        ("a: [\n", "not valid YAML"),
        ("instance-id: {a: 1}\n", "has no 'instance-id'"),
    ])
    func garbageIsANamedError(metadata: String, message: String) async throws {
        await #expect {
            _ = try await Self.load(metadata: metadata)
        } throws: { "\($0)".contains("http://169.254.169.254/hetzner/v1/metadata") && "\($0)".contains(message) }
    }

    @Test func oddlyTypedFieldsAreRefusedOrIgnoredNotFatal() async throws {
        let document =
            "instance-id: 123456\nhostname: [a]\npublic-keys: [ssh-ed25519 AAAA k, {a: 1}]\nnetwork-config: 5\n"
        let metadata = try #require(try await Self.load(metadata: document).0)
        #expect(metadata.hostname == nil)
        #expect(metadata.publicKeys.map(\.line) == ["ssh-ed25519 AAAA k"])
        #expect(metadata.refusedKeys == ["public-keys[1] is not a string"])
        guard case .invalid? = metadata.network else {
            Issue.record("a network-config that is not a mapping is named: \(String(describing: metadata.network))")
            return
        }
    }
}
