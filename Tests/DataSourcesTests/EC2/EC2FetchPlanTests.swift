import DataSources
import Foundation
import Testing

/// What the EC2 source asks for and in how many round trips (issue 12: 2 ENIs and 2 keys
/// in at most 12 requests and 3 round trips after the token), through `RoundTripTransport`.
@Suite struct EC2FetchPlanTests {
    static let base = URL(string: "http://imds.test/")!
    static let primary = "0a:1b:2c:3d:4e:5f"
    static let secondary = "0a:1b:2c:3d:4e:60"
    static let document = """
        {"instanceId": "i-0a1b2c3d4e5f60718", "availabilityZone": "eu-west-1b", "privateIp": "10.0.0.5",
         "region": "eu-west-1"}
        """

    /// One ENI's directory: its listing names exactly the leaves it has (AWS lists `ipv6s`
    /// only on an ENI with IPv6 addresses).
    struct ENI {
        var mac: String
        var deviceNumber: Int
        var ipv4s: [String]
        var cidr: String
        var ipv6s: [String] = []
        var ipv6CIDR: String? = nil

        var leaves: [String: String] {
            var leaves = [
                "device-number": String(deviceNumber), "interface-id": "eni-0123", "local-hostname": "ip-x",
                "local-ipv4s": ipv4s.joined(separator: "\n"), "mac": mac, "subnet-ipv4-cidr-block": cidr,
                "vpc-id": "vpc-0123",
            ]
            if !ipv6s.isEmpty { leaves["ipv6s"] = ipv6s.joined(separator: "\n") }
            if let ipv6CIDR { leaves["subnet-ipv6-cidr-blocks"] = ipv6CIDR }
            return leaves
        }
    }

    static let firstENI = ENI(mac: primary, deviceNumber: 0, ipv4s: ["10.0.0.5"], cidr: "10.0.0.0/24")
    static let secondENI = ENI(mac: secondary, deviceNumber: 1, ipv4s: ["10.0.1.7"], cidr: "10.0.1.0/24")

    /// The tree of fixtures/ec2-two-nics (two ENIs, two keys, user data, identity document).
    static func tree(
        enis: [ENI] = [firstENI, secondENI], document: String? = document, mac: String? = primary
    ) -> [String: String] {
        let meta = "latest/meta-data/"
        var tree = [
            meta + "instance-id": "i-0a1b2c3d4e5f60718", meta + "local-hostname": "ip-10-0-0-5.internal",
            meta + "placement/availability-zone": "eu-west-1b", meta + "local-ipv4": "10.0.0.5",
            meta + "public-keys/": "0=demo-key\n1=demo-ed25519",
            meta + "public-keys/0/openssh-key": "ssh-rsa AAAAB3NzaC1yc2E demo-key",
            meta + "public-keys/1/openssh-key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 demo-ed25519",
            meta + "network/interfaces/macs/": enis.map { $0.mac + "/" }.joined(separator: "\n"),
            "latest/user-data": "#cloud-config\n",
        ]
        if let document { tree["latest/dynamic/instance-identity/document"] = document }
        if let mac { tree[meta + "mac"] = mac }
        for eni in enis {
            let directory = meta + "network/interfaces/macs/\(eni.mac)/"
            tree[directory] = eni.leaves.keys.sorted().joined(separator: "\n")
            for (name, value) in eni.leaves { tree[directory + name] = value }
        }
        return tree
    }

    static func load(_ tree: [String: String], needs: MetadataNeeds = .all) async throws -> (
        InstanceMetadata, RoundTripTransport
    ) {
        let transport = RoundTripTransport(base: base, tree: tree)
        let source = EC2MetadataSource(
            baseURL: base, client: MetadataHTTPClient(transport: transport, policy: RetryPolicy(retries: 0)),
            needs: needs)
        let metadata = try await RoundTripTransport.run(transport) { try await source.load() }
        return (try #require(metadata), transport)
    }

    static func configuration(_ description: NetworkDescription?) -> NetworkConfiguration? {
        if case .configuration(let configuration) = description { configuration } else { nil }
    }

    @Test func twoENIsAndTwoKeysCostTwelveRequestsInTwoRoundsAfterTheToken() async throws {
        let (metadata, transport) = try await Self.load(Self.tree())
        let rounds = await transport.rounds
        let requests = rounds.flatMap { $0 }
        #expect(rounds.first == ["PUT latest/api/token"])
        #expect(requests.count <= 12, "\(requests.count) requests: \(rounds)")
        #expect(rounds.count - 1 <= 3, "\(rounds.count - 1) rounds after the token: \(rounds)")
        // The listings are asked for as directories; nothing is probed that is not listed.
        for listing in ["public-keys/", "network/interfaces/macs/", "network/interfaces/macs/\(Self.secondary)/"] {
            #expect(requests.contains("GET latest/meta-data/" + listing), "\(listing) not read as a listing")
        }
        #expect(
            !requests.contains { $0.hasSuffix("ipv6s") || $0.contains("ipv6-cidr") || $0.contains("device-number") })
        #expect(metadata.instanceID == "i-0a1b2c3d4e5f60718")
        #expect(metadata.availabilityZone == "eu-west-1b")
        #expect(metadata.publicKeys.map(\.name) == ["demo-key", "demo-ed25519"])
        #expect(metadata.userData == Data("#cloud-config\n".utf8))
        #expect(metadata.ec2Network?.primaryMAC == Self.primary)
        #expect(metadata.ec2Network?.localIPv4 == "10.0.0.5")
        #expect(metadata.ec2Network?.interfaces.map(\.mac) == [Self.primary, Self.secondary])
        let network = try #require(Self.configuration(metadata.network))
        #expect(network.links.count == 2)
        #expect(network.networks.filter(\.acceptsDefaultRoute).map(\.linkID) == ["eni-\(Self.primary)"])
    }

    @Test func secondaryAddressesAndIPv6AreReadOnlyWhereListedInAThirdRound() async throws {
        var second = Self.secondENI
        second.ipv4s = ["10.0.1.7", "10.0.1.8"]
        second.ipv6s = ["2600:1f18::7"]
        second.ipv6CIDR = "2600:1f18::/64"
        let (metadata, transport) = try await Self.load(Self.tree(enis: [Self.firstENI, second]))
        let rounds = await transport.rounds
        let requests = rounds.flatMap { $0 }
        #expect(rounds.count - 1 <= 3, "\(rounds.count - 1) rounds after the token: \(rounds)")
        let directory = "GET latest/meta-data/network/interfaces/macs/"
        for leaf in ["subnet-ipv4-cidr-block", "ipv6s", "subnet-ipv6-cidr-blocks"] {
            #expect(requests.contains(directory + Self.secondary + "/" + leaf))
            #expect(!requests.contains(directory + Self.primary + "/" + leaf), "\(leaf) read for a single-address ENI")
        }
        let read = try #require(metadata.ec2Network?.interfaces.first { $0.mac == Self.secondary })
        #expect(read.localIPv4s == ["10.0.1.7", "10.0.1.8"])
        #expect(read.subnetIPv4CIDR == "10.0.1.0/24")
        #expect(read.ipv6s == ["2600:1f18::7"])
        #expect(read.subnetIPv6CIDRs == ["2600:1f18::/64"])
        let network = try #require(Self.configuration(metadata.network))
        #expect(network.networks.contains { $0.id == "eni-\(Self.secondary)-dhcp6" })
    }

    @Test func withoutTheNetworkNeedNoInterfaceOrUserDataPathIsRead() async throws {
        let (metadata, transport) = try await Self.load(Self.tree(), needs: [])
        let requests = await transport.rounds.flatMap { $0 }
        #expect(!requests.contains { $0.contains("network/") || $0.contains("user-data") || $0.hasSuffix("/mac") })
        #expect(requests.count == 6, "\(requests)")
        #expect(metadata.network == nil && metadata.userData == nil)
        #expect(metadata.publicKeys.count == 2)
    }

    @Test func withoutAnIdentityDocumentMacNamesThePrimary() async throws {
        // Device 0 is the second MAC here, so sorting by MAC alone would pick the wrong one.
        var first = Self.firstENI
        var second = Self.secondENI
        (first.deviceNumber, second.deviceNumber) = (1, 0)
        let (metadata, transport) = try await Self.load(
            Self.tree(enis: [first, second], document: nil, mac: Self.secondary))
        let rounds = await transport.rounds
        #expect(rounds.count - 1 <= 3, "\(rounds)")
        #expect(!rounds.flatMap { $0 }.contains { $0.contains("device-number") })
        #expect(metadata.instanceID == "i-0a1b2c3d4e5f60718")
        #expect(metadata.availabilityZone == "eu-west-1b")
        #expect(metadata.ec2Network?.primaryMAC == Self.secondary)
        #expect(metadata.ec2Network?.localIPv4 == "10.0.1.7")
    }

    @Test func withNeitherDocumentNorMacDeviceZeroIsThePrimary() async throws {
        var first = Self.firstENI
        var second = Self.secondENI
        (first.deviceNumber, second.deviceNumber) = (1, 0)
        let (metadata, transport) = try await Self.load(Self.tree(enis: [first, second], document: nil, mac: nil))
        let requests = await transport.rounds.flatMap { $0 }
        #expect(requests.filter { $0.hasSuffix("/device-number") }.count == 2)
        #expect(metadata.ec2Network?.primaryMAC == Self.secondary)
        #expect(metadata.ec2Network?.interfaces.first?.deviceNumber == 0)
    }

    @Test func anIPv6OnlyInstancesPrivateIpIsNotTakenForAnIPv4() async throws {
        // AWS: on an IPv6-only instance the document's privateIp is its IPv6 address.
        var first = Self.firstENI
        var second = Self.secondENI
        (first.deviceNumber, second.deviceNumber) = (1, 0)
        let document = #"{"instanceId": "i-0a1b2c3d4e5f60718", "privateIp": "2600:1f18::5"}"#
        let (metadata, _) = try await Self.load(Self.tree(enis: [first, second], document: document))
        #expect(metadata.ec2Network?.localIPv4 == "10.0.1.7")
        #expect(metadata.ec2Network?.primaryMAC == Self.secondary)
    }

    @Test func aBrokenIdentityDocumentIsANamedError() async throws {
        for broken in ["not json", "[1]", #"{"availabilityZone": "eu-west-1b"}"#] {
            var tree = Self.tree()
            tree["latest/dynamic/instance-identity/document"] = broken
            await #expect {
                _ = try await Self.load(tree)
            } throws: {
                "\($0)".contains("http://imds.test/latest/dynamic/instance-identity/document")
            }
        }
    }
}
