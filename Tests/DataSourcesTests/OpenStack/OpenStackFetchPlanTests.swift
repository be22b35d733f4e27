import DataSources
import Foundation
import Testing

/// OpenStack's round trips over HTTP, counted without timing (`RoundTripTransport`): what
/// nova's password endpoint holds is read in the same round as the documents (issue 31), not
/// one round later when the password plugin runs.
@Suite struct OpenStackFetchPlanTests {
    static let base = URL(string: "http://169.254.169.254/")!
    static let tree = [
        "openstack/latest/meta_data.json": #"{"uuid": "i-1", "hostname": "vm1"}"#,
        "openstack/latest/network_data.json": #"{"links": [], "networks": [], "services": []}"#,
        "openstack/latest/user_data": "#!/bin/sh\n",
        "openstack/latest/password": "",
    ]

    static func load(needs: MetadataNeeds, tree: [String: String] = tree) async throws
        -> (InstanceMetadata, RoundTripTransport)
    {
        let transport = RoundTripTransport(base: base, tree: tree)
        let source = OpenStackHTTPSource(
            baseURL: base, client: MetadataHTTPClient(transport: transport, policy: RetryPolicy(retries: 0)),
            needs: needs)
        let metadata = try await RoundTripTransport.run(transport) { try await source.load() }
        return (try #require(metadata), transport)
    }

    @Test func thePasswordEndpointIsReadInTheDocumentsRound() async throws {
        let (metadata, transport) = try await Self.load(needs: .all)
        let rounds = await transport.rounds
        #expect(rounds.count == 1, "\(rounds)")
        #expect(rounds.first?.contains("GET openstack/latest/password") == true, "\(rounds)")
        #expect(metadata.passwordEndpointValue == "")
    }

    @Test func aStoredPasswordIsCarriedAsReadAndNothingIsReadWhenNotNeeded() async throws {
        var tree = Self.tree
        tree["openstack/latest/password"] = "c2VjcmV0LWNpcGhlcnRleHQ=\n"
        #expect(try await Self.load(needs: .all, tree: tree).0.passwordEndpointValue == "c2VjcmV0LWNpcGhlcnRleHQ=")
        let (metadata, transport) = try await Self.load(needs: [.userData, .network])
        #expect(metadata.passwordEndpointValue == nil)
        #expect(await !transport.rounds.joined().contains("GET openstack/latest/password"))
    }

    @Test func aFailedReadLeavesItToThePlugin() async throws {
        var tree = Self.tree
        tree["openstack/latest/password"] = nil  // 404: the plugin asks again, with retries
        let (metadata, _) = try await Self.load(needs: .all, tree: tree)
        #expect(metadata.passwordEndpointValue == nil)
    }
}
