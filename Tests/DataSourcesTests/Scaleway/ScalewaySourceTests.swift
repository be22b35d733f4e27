import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// Scaleway's `/conf?format=json` read into the agent's metadata, from cloud-init's
/// `MetadataResponses.FAKE_METADATA` (tests/unittests/sources/test_scaleway.py), with
/// afterburn's `location.zone_id` (src/providers/scaleway/mock_tests.rs).
@Suite struct ScalewaySourceTests {
    static let fakeMetadata = """
        {
          "id": "00000000-0000-0000-0000-000000000000",
          "hostname": "scaleway.host",
          "net_in_use": "ipv4",
          "tags": ["AUTHORIZED_KEY=ssh-rsa_AAAAB3NzaC1yc2EAAAADAQABDDDDD"],
          "ssh_public_keys": [
            {"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABA", "fingerprint": "2048 06:ae:...  login (RSA)"},
            {"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABCCCCC", "fingerprint": "2048 06:ff:...  login2 (RSA)"}
          ],
          "zone": "fr-par-1",
          "location": {"zone_id": "fr-par-1"}
        }
        """

    static func load(_ routes: [String: (status: Int, body: Data)], dmi: [String: String] = ["sys_vendor": "Scaleway"])
        async throws -> (InstanceMetadata?, RecordingCloudTransport)
    {
        let root = try dmiRoot(dmi)
        let transport = RecordingCloudTransport(routes)
        return (try await ScalewaySource(root: SystemRoot(root.path), client: transport.client).load(), transport)
    }

    static let fullRoutes: [String: (status: Int, body: Data)] = [
        "/conf?format=json": (200, Data(fakeMetadata.utf8)),
        "/user_data/cloud-init": (200, Data("#!/bin/bash\necho \"user-data\"".utf8)),
        "/vendor_data/cloud-init": (200, Data("#cloud-config\nruncmd: [true]\n".utf8)),
    ]

    @Test func cloudInitsFixtureGivesIdentityKeysDataAndTheCheckIn() async throws {
        let (loaded, transport) = try await Self.load(Self.fullRoutes)
        let metadata = try #require(loaded)
        #expect(metadata.sourceID == "scaleway")
        #expect(metadata.instanceID == "00000000-0000-0000-0000-000000000000")
        #expect(metadata.hostname == "scaleway.host")
        #expect(metadata.availabilityZone == "fr-par-1")
        // cloud-init's test_ssh_keys: both keys, then the tag's with `_` as spaces.
        #expect(
            metadata.publicKeys.map(\.line) == [
                "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABA", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABCCCCC",
                "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABDDDDD",
            ])
        #expect(metadata.userData == Data("#!/bin/bash\necho \"user-data\"".utf8))
        #expect(metadata.vendorUserData == Data("#cloud-config\nruncmd: [true]\n".utf8))
        let checkIn = try #require(metadata.bootCheckIn)
        #expect(checkIn.method == "PATCH")
        #expect(checkIn.url.absoluteString == "http://169.254.42.42/state")
        #expect(String(decoding: checkIn.body, as: UTF8.self) == #"{"state_detail":"booted"}"#)
        // The conf from any port; user and vendor data only from a reserved one.
        let reserved = Dictionary(
            transport.requests.map { ($0.url.absoluteString, $0.reservedSourcePort) }, uniquingKeysWith: { $1 })
        #expect(reserved["http://169.254.42.42/conf?format=json"] == false)
        #expect(reserved["http://169.254.42.42/user_data/cloud-init"] == true)
        #expect(reserved["http://169.254.42.42/vendor_data/cloud-init"] == true)
    }

    /// cloud-init's `query_data_api_once`: 404 is "no user data", not an error.
    @Test func noUserDataIsAbsent() async throws {
        let (loaded, _) = try await Self.load(["/conf?format=json": (200, Data(Self.fakeMetadata.utf8))])
        let metadata = try #require(loaded)
        #expect(metadata.userDataDocument == .absent)
        #expect(metadata.vendorUserDataDocument == .absent)
    }

    /// A refused user data (403: an unprivileged port) costs only the user data.
    @Test func aRefusedUserDataIsUnreadableNotFatal() async throws {
        var routes = Self.fullRoutes
        routes["/user_data/cloud-init"] = (403, Data())
        let metadata = try #require(try await Self.load(routes).0)
        #expect(metadata.unreadableDocuments.map(\.document) == ["user data"])
    }

    @Test(arguments: [[:], ["sys_vendor": "QEMU"], ["sys_vendor": "scaleway"]])
    func withoutTheDMISignalNoRequestIsMade(dmi: [String: String]) async throws {
        let (loaded, transport) = try await Self.load(Self.fullRoutes, dmi: dmi)
        #expect(loaded == nil)
        #expect(transport.requests.isEmpty)
    }

    @Test(arguments: [
        ("not json", "malformed document at http://169.254.42.42/conf?format=json: not valid JSON"),
        ("[1]", "malformed document at http://169.254.42.42/conf?format=json: top level is not a JSON object"),
        (#"{"hostname": "h"}"#, "http://169.254.42.42/conf?format=json has no 'id'"),
    ])
    func garbageIsANamedError(document: String, message: String) async throws {
        await #expect {
            _ = try await Self.load(["/conf?format=json": (200, Data(document.utf8))])
        } throws: { "\($0)".hasPrefix(message) }
    }

    @Test func oddlyTypedKeysAreRefusedNotFatal() async throws {
        let document = #"{"id": 7, "ssh_public_keys": [{"key": 3}, "x", {"key": "ssh-ed25519 AAAA k"}], "tags": 5}"#
        let metadata = try #require(try await Self.load(["/conf?format=json": (200, Data(document.utf8))]).0)
        #expect(metadata.instanceID == "7")
        #expect(metadata.publicKeys.map(\.line) == ["ssh-ed25519 AAAA k"])
        #expect(metadata.refusedKeys.count == 2)
    }

    /// Random JSON under the conf's keys: metadata or a named error, never a crash.
    @Test func garbageDocumentsNeverCrash() async throws {
        let keys = ["id", "hostname", "ssh_public_keys", "tags", "location", "zone"]
        for seed in 0..<200 {
            var rng = SplitMix64(seed: UInt64(seed))
            var members: [String] = []
            for key in keys where rng.chance(70) { members.append("\"\(key)\": \(CloudGarbage.value(&rng, depth: 3))") }
            do {
                _ = try await Self.load([
                    "/conf?format=json": (200, Data(("{" + members.joined(separator: ", ") + "}").utf8))
                ])
            } catch let error as DataSourceError {
                #expect("\(error)".contains("conf?format=json"), "seed \(seed): \(error)")
            }
        }
    }

    /// The `ipv6` blocks of the network tests: none (`test_network_config_ok`), cloud-init's
    /// `test_network_config_ipv6_ok` (a /127 whose gateway lies outside it: the agent drops
    /// that route, naming it, as it drops every route no network reaches), and a /64 with its
    /// gateway inside, as instances have it.
    static let ipv6Blocks: [(block: [String: String]?, addresses: [String], routes: [String])] = [
        (nil, ["dhcp4"], []),
        (
            ["address": "2000:abc:4444:9876::42:999", "gateway": "2000:abc:4444:9876::42:000", "netmask": "127"],
            ["dhcp4", "2000:abc:4444:9876::42:999/127"], []
        ),
        (
            ["address": "2001:bc8:1640:1a2b::1", "gateway": "2001:bc8:1640:1a2b::", "netmask": "64"],
            ["dhcp4", "2001:bc8:1640:1a2b::1/64"], ["::/0 via 2001:bc8:1640:1a2b::"]
        ),
    ]

    /// cloud-init 22.4.2's `network_config` (test_scaleway.py): the fallback NIC (`ens2` there)
    /// by DHCPv4, plus the `ipv6` block's static address with a default route via its gateway.
    @Test(arguments: 0..<3)
    func theNetworkIsTheFallbackNICByDHCPPlusTheStaticIPv6(index: Int) async throws {
        let expected = Self.ipv6Blocks[index]
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(Self.fakeMetadata.utf8)) as? [String: Any])
        object["ipv6"] = expected.block ?? NSNull()
        let root = try dmiRoot(["sys_vendor": "Scaleway"])
        try root.write("de:00:00:aa:bb:cc\n", to: "sys/class/net/ens2/address")
        try root.write("1\n", to: "sys/class/net/ens2/carrier")
        var routes = Self.fullRoutes
        routes["/conf?format=json"] = (200, try JSONSerialization.data(withJSONObject: object))
        let transport = RecordingCloudTransport(routes)
        let metadata = try #require(
            try await ScalewaySource(root: SystemRoot(root.path), client: transport.client).load())
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration, got \(String(describing: metadata.network))")
            return
        }
        #expect(config.links.map(\.macAddress) == ["de:00:00:aa:bb:cc"])
        #expect(config.links.map(\.name) == ["ens2"])
        #expect(config.networks.map { $0.staticAddress.map(\.description) ?? "\($0.method)" } == expected.addresses)
        #expect(config.networks.flatMap(\.routes).map { "\($0.destination) via \($0.gateway)" } == expected.routes)
        if index == 1 {
            #expect(config.skipped.contains { $0.contains("2000:abc:4444:9876::42") }, "\(config.skipped)")
        }
    }

    /// No NIC under the root (nothing to match the configuration to): no network, and the
    /// instance still loads. A broken `ipv6` block fails only the network, named.
    @Test func withoutANICThereIsNoNetworkAndABadIPv6IsNamed() async throws {
        let (loaded, _) = try await Self.load(Self.fullRoutes)
        #expect(try #require(loaded).network == nil)
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(Self.fakeMetadata.utf8)) as? [String: Any])
        object["ipv6"] = ["address": "not-an-address", "netmask": "64", "gateway": "fe80::1"]
        let root = try dmiRoot(["sys_vendor": "Scaleway"])
        try root.write("de:00:00:aa:bb:cc\n", to: "sys/class/net/ens2/address")
        try root.write("1\n", to: "sys/class/net/ens2/carrier")
        var routes = Self.fullRoutes
        routes["/conf?format=json"] = (200, try JSONSerialization.data(withJSONObject: object))
        let transport = RecordingCloudTransport(routes)
        let metadata = try #require(
            try await ScalewaySource(root: SystemRoot(root.path), client: transport.client).load())
        #expect(metadata.hostname == "scaleway.host")
        guard case .invalid(let error)? = metadata.network else {
            Issue.record("expected .invalid, got \(String(describing: metadata.network))")
            return
        }
        #expect("\(error)".contains("not-an-address"), "\(error)")
    }
}
