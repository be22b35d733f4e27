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

    static func load(_ document: String, dmi: [String: String] = vendor) async throws -> (
        InstanceMetadata?, RecordingCloudTransport
    ) {
        let root = try dmiRoot(dmi)
        let transport = RecordingCloudTransport(texts: [path: document])
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
        #expect(metadata.network == nil)
        let request = try #require(transport.requests.first)
        #expect(transport.requests.count == 1)
        #expect(request.url.absoluteString == "http://169.254.169.254/opc/v2/instance/")
        #expect(request.headers["Authorization"] == "Bearer Oracle")
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
