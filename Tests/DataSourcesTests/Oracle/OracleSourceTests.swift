import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// OCI's instance document read into the agent's metadata, from cloud-init's
/// `OPC_V2_METADATA` (tests/unittests/sources/test_oracle.py) and afterburn's
/// src/providers/oraclecloud/mock_tests.rs.
@Suite struct OracleSourceTests {
    static let vendor = ["chassis_asset_tag": "OracleCloud.com"]
    static let path = "/opc/v2/instance/"

    /// cloud-init's `OPC_V2_METADATA`, verbatim.
    static let opcV2 = """
        {
          "availabilityDomain" : "qIZq:PHX-AD-1",
          "faultDomain" : "FAULT-DOMAIN-2",
          "compartmentId" : "ocid1.tenancy.oc1..aaaaaaaao7f7cccogqrg5emjxkxmTRUNCATED",
          "displayName" : "instance-20200320-1400",
          "hostname" : "instance-20200320-1400",
          "id" : "ocid1.instance.oc1.phx.anyhqljtniwq6syc3nex55sep5w34qbwmw6TRUNCATED",
          "image" : "ocid1.image.oc1.phx.aaaaaaaagmkn4gdhvvx24kiahh2b2qchsicTRUNCATED",
          "metadata" : {
            "ssh_authorized_keys" : "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ truncated",
            "user_data" : "IyEvYmluL3NoCnRvdWNoIC90bXAvZm9v"
          },
          "region" : "phx",
          "canonicalRegionName" : "us-phoenix-1",
          "ociAdName" : "phx-ad-3",
          "shape" : "VM.Standard2.1",
          "state" : "Running",
          "timeCreated" : 1584727285318,
          "agentConfig" : {
            "monitoringDisabled" : true,
            "managementDisabled" : true
          }
        }
        """

    /// cloud-init's `OPC_VM_SECONDARY_VNIC_RESPONSE` (test_oracle.py): the primary VNIC,
    /// then a secondary one.
    static let vnics = """
        [ {
          "vnicId" : "ocid1.vnic.oc1.phx.abyhqljtch72z5pd76cc2636qeqh7z_truncated",
          "privateIp" : "10.0.0.230",
          "vlanTag" : 1039,
          "macAddr" : "02:00:17:05:D1:DB",
          "virtualRouterIp" : "10.0.0.1",
          "subnetCidrBlock" : "10.0.0.0/24"
        }, {
          "vnicId" : "ocid1.vnic.oc1.phx.abyhqljt4iew3gwmvrwrhhf3bp5drj_truncated",
          "privateIp" : "10.0.0.231",
          "vlanTag" : 1041,
          "macAddr" : "00:00:17:02:2B:B1",
          "virtualRouterIp" : "10.0.0.1",
          "subnetCidrBlock" : "10.0.0.0/24"
        } ]
        """

    static func load(_ document: String, vnics: (status: Int, body: String)? = nil, dmi: [String: String] = vendor)
        async throws -> (InstanceMetadata?, RecordingCloudTransport)
    {
        let root = try dmiRoot(dmi)
        var routes: [String: (status: Int, body: Data)] = [path: (200, Data(document.utf8))]
        if let vnics { routes["/opc/v2/vnics/"] = (vnics.status, Data(vnics.body.utf8)) }
        let transport = RecordingCloudTransport(routes)
        return (try await OracleSource(root: SystemRoot(root.path), client: transport.client).load(), transport)
    }

    @Test func theInstanceDocumentGivesIdentityKeysAndUserData() async throws {
        let (loaded, transport) = try await Self.load(Self.opcV2)
        let metadata = try #require(loaded)
        #expect(metadata.sourceID == "oracle")
        #expect(metadata.instanceID == "ocid1.instance.oc1.phx.anyhqljtniwq6syc3nex55sep5w34qbwmw6TRUNCATED")
        #expect(metadata.hostname == "instance-20200320-1400")
        #expect(metadata.name == "instance-20200320-1400")
        #expect(metadata.availabilityZone == "phx-ad-3")
        #expect(metadata.publicKeys.map(\.line) == ["ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ truncated"])
        #expect(metadata.userData == Data("#!/bin/sh\ntouch /tmp/foo".utf8))
        #expect(metadata.network == nil, "no vnics document (404): no network")
        #expect(
            Set(transport.requests.map(\.url.absoluteString)) == [
                "http://169.254.169.254/opc/v2/instance/", "http://169.254.169.254/opc/v2/vnics/",
            ])
        #expect(transport.requests.allSatisfy { $0.headers["Authorization"] == "Bearer Oracle" })
    }

    /// cloud-init's default (`set_primary`, no `configure_secondary_nics`): the first VNIC by
    /// DHCP, matched by its MAC lower-cased, MTU 9000; the secondary VNIC is left alone.
    @Test func thePrimaryVNICIsConfiguredByDHCPAndTheSecondaryIsNot() async throws {
        let metadata = try #require(try await Self.load(Self.opcV2, vnics: (200, Self.vnics)).0)
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration, got \(String(describing: metadata.network))")
            return
        }
        #expect(config.links.map(\.macAddress) == ["02:00:17:05:d1:db"])
        #expect(config.links.map(\.mtu) == [9000])
        #expect(config.networks.map { "\($0.linkID) \($0.method)" } == ["eth0 dhcp4"])
    }

    /// The link carries the name of the guest's NIC with the VNIC's MAC (cloud-init's
    /// `get_interfaces_by_mac`), so nothing is renamed.
    @Test func theLinkIsNamedAfterTheGuestsNIC() async throws {
        let root = try dmiRoot(Self.vendor)
        try root.write("02:00:17:05:d1:db\n", to: "sys/class/net/ens3/address")
        let transport = RecordingCloudTransport([
            Self.path: (200, Data(Self.opcV2.utf8)), "/opc/v2/vnics/": (200, Data(Self.vnics.utf8)),
        ])
        let metadata = try #require(
            try await OracleSource(root: SystemRoot(root.path), client: transport.client).load())
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration, got \(String(describing: metadata.network))")
            return
        }
        #expect(config.links.map(\.name) == ["ens3"])
        #expect(config.links.map(\.macAddress) == ["02:00:17:05:d1:db"])
    }

    /// A VNIC list that cannot be used fails only the network (`.invalid`, named); the
    /// instance still loads. An empty list is no network.
    @Test(arguments: [
        (500, "oops", "HTTP 500"), (200, "{", "/opc/v2/vnics/"), (200, #"{"macAddr": "x"}"#, "not a list of VNICs"),
        (200, #"[{"privateIp": "10.0.0.2"}]"#, "macAddr"), (200, #"[{"macAddr": "not-a-mac"}]"#, "not-a-mac"),
    ])
    func aBadVNICListFailsOnlyTheNetwork(status: Int, body: String, named: String) async throws {
        let metadata = try #require(try await Self.load(Self.opcV2, vnics: (status, body)).0)
        #expect(metadata.hostname == "instance-20200320-1400")
        guard case .invalid(let error)? = metadata.network else {
            Issue.record("expected .invalid, got \(String(describing: metadata.network))")
            return
        }
        #expect("\(error)".contains(named), "\(error)")
    }

    @Test func anEmptyVNICListIsNoNetwork() async throws {
        #expect(try #require(try await Self.load(Self.opcV2, vnics: (200, "[]")).0).network == nil)
    }

    /// afterburn's test_pubkeys: two keys in one string, one per line.
    @Test func keysAreOnePerLine() async throws {
        let document =
            #"{"id": "i", "metadata": {"ssh_authorized_keys": "ssh-rsa AAAA root@example1\nssh-rsa BBBB root@example2"}}"#
        let metadata = try #require(try await Self.load(document).0)
        #expect(metadata.publicKeys.map(\.line) == ["ssh-rsa AAAA root@example1", "ssh-rsa BBBB root@example2"])
        #expect(metadata.userData == nil)
    }

    @Test func userDataThatIsNotBase64IsUnreadableNotRun() async throws {
        let document = ##"{"id": "i", "hostname": "h", "metadata": {"user_data": "#!/bin/sh\nrm -rf /"}}"##
        let metadata = try #require(try await Self.load(document).0)
        #expect(metadata.hostname == "h", "the rest of the instance still applies")
        #expect(metadata.userData == nil)
        #expect(
            metadata.unreadableDocuments.map(\.description) == [
                "user data could not be read: http://169.254.169.254/opc/v2/instance/: metadata.user_data is not base64"
            ])
    }

    @Test func withoutTheChassisTagNoRequestIsMade() async throws {
        for dmi in [[:], ["sys_vendor": "OracleCloud.com"], ["chassis_asset_tag": "No Asset Tag"]] {
            let (loaded, transport) = try await Self.load(Self.opcV2, dmi: dmi)
            #expect(loaded == nil, "\(dmi)")
            #expect(transport.requests.isEmpty, "\(dmi): \(transport.requests.map(\.url))")
        }
    }

    @Test(arguments: [
        ("{", "not valid JSON"), ("\"x\"", "top level is not a JSON object"), (#"{"hostname": "h"}"#, "has no 'id'"),
    ])
    func garbageIsANamedError(document: String, message: String) async throws {
        await #expect {
            _ = try await Self.load(document)
        } throws: { "\($0)".contains("http://169.254.169.254/opc/v2/instance/") && "\($0)".contains(message) }
    }

    @Test func garbageDocumentsNeverCrash() async throws {
        let keys = ["id", "hostname", "displayName", "ociAdName", "metadata"]
        for seed in 0..<200 {
            var rng = SplitMix64(seed: UInt64(seed))
            var members: [String] = []
            for key in keys where rng.chance(70) { members.append("\"\(key)\": \(CloudGarbage.value(&rng, depth: 3))") }
            do {
                _ = try await Self.load("{" + members.joined(separator: ", ") + "}")
            } catch let error as DataSourceError {
                #expect("\(error)".contains("/opc/v2/instance/"), "seed \(seed): \(error)")
            }
        }
    }
}
