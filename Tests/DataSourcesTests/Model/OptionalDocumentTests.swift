import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// Issue 29: an optional document (user data, network data, vendor data) that is too large
/// or unreadable costs only itself: the source still loads, with the document marked
/// unreadable so that the plugin needing it fails naming it.
@Suite struct OptionalDocumentTests {
    static let twoMebibytes = Data(repeating: UInt8(ascii: "a"), count: 2 << 20)

    @Test func openStackOversizedUserDataCostsOnlyTheUserData() async throws {
        let setup = try await OpenStackSourceTests.setup {
            try Self.twoMebibytes.write(to: URL(fileURLWithPath: $0 + "/openstack/latest/user_data"))
        }
        let metadata = try #require(try await setup.source().load())
        #expect(metadata.instanceID == OpenStackSourceTests.fixtureInstance)
        #expect(metadata.hostname == "demo-instance.novalocal" && metadata.publicKeys.count == 1)
        #expect(metadata.userData == nil)
        let url = setup.server.baseURL.absoluteString + "/openstack/latest/user_data"
        #expect(
            metadata.userDataDocument
                == .unreadable(
                    DocumentReadError(
                        document: "user data", reason: "document at \(url) exceeds the 1048576-byte limit")))
        #expect(metadata.network != nil && metadata.vendorData != nil, "the other documents are read")
    }

    @Test func openStackUnparsableNetworkDataCostsOnlyTheNetwork() async throws {
        let setup = try await OpenStackSourceTests.setup {
            try Data("{\"links\": [".utf8).write(to: URL(fileURLWithPath: $0 + "/openstack/latest/network_data.json"))
        }
        let metadata = try #require(try await setup.source().load())
        #expect(metadata.hostname == "demo-instance.novalocal")
        guard case .invalid(let error) = metadata.network else {
            Issue.record("network is \(String(describing: metadata.network))")
            return
        }
        #expect("\(error)".contains("network_data.json"))
        #expect(metadata.userData != nil && metadata.unreadableDocuments.isEmpty)
    }

    @Test func openStackServerErrorOnVendorDataCostsOnlyTheVendorData() async throws {
        let setup = try await OpenStackSourceTests.setup(["--fail-first", "9:/openstack/latest/vendor_data.json"])
        let metadata = try #require(try await setup.source(retries: 1).load())
        #expect(metadata.userData != nil)
        guard case .unreadable(let failure) = metadata.vendorDataDocument else {
            Issue.record("vendor data is \(metadata.vendorDataDocument)")
            return
        }
        #expect("\(failure)".hasPrefix("vendor_data.json could not be read: HTTP 500 from "))
    }

    @Test func configDriveOversizedUserDataCostsOnlyTheUserData() async throws {
        let work = try TemporaryDirectory()
        let stage = try ConfigDriveImages.stage(in: work) { stage in
            for version in try FileManager.default.contentsOfDirectory(atPath: stage + "/openstack")
            where version != "content" {
                try Self.twoMebibytes.write(to: URL(fileURLWithPath: stage + "/openstack/\(version)/user_data"))
            }
        }
        let source = ConfigDriveSource(locator: ConfigDriveLocator(root: SystemRoot(""), configuredPaths: [stage]))
        let metadata = try #require(try await source.load())
        #expect(metadata.hostname == "demo-instance.novalocal")
        #expect(metadata.userData == nil)
        let failure = try #require(metadata.unreadableDocuments.first)
        #expect(failure.document == "user data")
        #expect(failure.reason == "document at \(stage)/openstack/latest/user_data exceeds the 1048576-byte limit")
    }

    @Test func ec2OversizedUserDataCostsOnlyTheUserData() async throws {
        var tree = EC2FetchPlanTests.tree()
        tree["latest/user-data"] = String(repeating: "a", count: 2 << 20)
        let (metadata, _) = try await EC2FetchPlanTests.load(tree)
        #expect(metadata.instanceID == "i-0a1b2c3d4e5f60718" && metadata.publicKeys.count == 2)
        #expect(metadata.userData == nil)
        #expect(
            metadata.unreadableDocuments.map(\.description) == [
                "user data could not be read: document at http://imds.test/latest/user-data exceeds the 1048576-byte limit"
            ])
    }
}
