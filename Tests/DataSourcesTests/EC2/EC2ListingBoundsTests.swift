import DataSources
import Foundation
import Testing

/// Issue 29: what an EC2 listing can make the source fetch. Repeated entries are read once;
/// past the caps (`EC2Listing.maximumKeys` keys, `EC2Listing.maximumInterfaces` ENIs) the
/// rest is ignored with a note, never a failure.
@Suite struct EC2ListingBoundsTests {
    static let meta = "latest/meta-data/"

    static func requests(_ transport: RoundTripTransport) async -> [String] {
        await transport.rounds.flatMap { $0 }
    }

    @Test func aListingThatRepeatsItsKeysReadsEachKeyOnce() async throws {
        var tree = EC2FetchPlanTests.tree()
        tree[Self.meta + "public-keys/"] = Array(repeating: "0=demo-key\n1=demo-ed25519", count: 5000).joined(
            separator: "\n")
        let (metadata, transport) = try await EC2FetchPlanTests.load(tree)
        let keyReads = await Self.requests(transport).filter { $0.hasSuffix("/openssh-key") }
        #expect(
            keyReads.sorted() == [
                "GET latest/meta-data/public-keys/0/openssh-key", "GET latest/meta-data/public-keys/1/openssh-key",
            ])
        #expect(metadata.publicKeys.map(\.name) == ["demo-key", "demo-ed25519"])
    }

    @Test func aListingOfManyKeysIsCappedWithANote() async throws {
        var tree = EC2FetchPlanTests.tree()
        tree[Self.meta + "public-keys/"] = (0..<300).map { "\($0)=key-\($0)" }.joined(separator: "\n")
        for index in 0..<300 { tree[Self.meta + "public-keys/\(index)/openssh-key"] = "ssh-ed25519 AAAA\(index) k" }
        let (metadata, transport) = try await EC2FetchPlanTests.load(tree)
        let keyReads = await Self.requests(transport).filter { $0.hasSuffix("/openssh-key") }
        #expect(keyReads.count == 100)
        #expect(metadata.publicKeys.count == 100 && metadata.publicKeys.last?.name == "key-99")
        #expect(
            metadata.refusedKeys.contains { $0.contains("300 keys") && $0.contains("first 100") },
            "\(metadata.refusedKeys)")
    }

    @Test func aMACListingThatRepeatsItsENIsReadsEachOnce() async throws {
        var tree = EC2FetchPlanTests.tree()
        let macs = [EC2FetchPlanTests.primary, EC2FetchPlanTests.secondary].map { $0 + "/" }.joined(separator: "\n")
        tree[Self.meta + "network/interfaces/macs/"] = Array(repeating: macs, count: 2000).joined(separator: "\n")
        let (metadata, transport) = try await EC2FetchPlanTests.load(tree)
        let requests = await Self.requests(transport)
        #expect(requests.count <= 12, "\(requests.count) requests")
        #expect(metadata.ec2Network?.interfaces.map(\.mac) == [EC2FetchPlanTests.primary, EC2FetchPlanTests.secondary])
    }

    @Test func aListingOfManyMACsIsCapped() async throws {
        let enis = (0..<100).map { index in
            EC2FetchPlanTests.ENI(
                mac: String(format: "0a:1b:2c:3d:%02x:%02x", index / 256, index % 256), deviceNumber: index,
                ipv4s: ["10.0.\(index).5"], cidr: "10.0.\(index).0/24")
        }
        let (metadata, transport) = try await EC2FetchPlanTests.load(
            EC2FetchPlanTests.tree(enis: enis, document: nil, mac: enis[0].mac))
        let listings = await Self.requests(transport).filter { $0.hasSuffix("/local-ipv4s") }
        #expect(listings.count == 64)
        #expect(metadata.ec2Network?.interfaces.count == 64)
    }
}
