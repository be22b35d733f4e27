import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// DigitalOcean's `v1.json` read into the agent's metadata, from documents shaped like the
/// droplets' own (cloud-init's tests/unittests/sources/test_digitalocean.py).
@Suite struct DigitalOceanSourceTests {
    static let vendor = ["sys_vendor": "DigitalOcean", "product_serial": "22532410"]

    /// cloud-init's `DO_META` ("taken from droplet"), with its `public_keys` set to one key
    /// string as that test does.
    static let doMeta = """
        {
          "droplet_id": "22532410",
          "hostname": "utl-96268",
          "vendor_data": "vendordata goes here",
          "user_data": "userdata goes here",
          "public_keys": "ssh-rsa AAAAB3NzaC1yc2EAAAA... test@do.co",
          "auth_key": "authorization_key",
          "region": "nyc3",
          "interfaces": {
            "private": [
              {
                "ipv4": {"ip_address": "10.132.6.205", "netmask": "255.255.0.0", "gateway": "10.132.0.1"},
                "mac": "04:01:57:d1:9e:02",
                "type": "private"
              }
            ],
            "public": [
              {
                "ipv4": {"ip_address": "192.0.0.20", "netmask": "255.255.255.0", "gateway": "104.236.0.1"},
                "ipv6": {
                  "ip_address": "2604:A880:0800:0000:1000:0000:0000:0000",
                  "cidr": 64,
                  "gateway": "2604:A880:0800:0000:0000:0000:0000:0001"
                },
                "anchor_ipv4": {"ip_address": "10.0.0.5", "netmask": "255.255.0.0", "gateway": "10.0.0.1"},
                "mac": "04:01:57:d1:9e:01",
                "type": "public"
              }
            ]
          },
          "floating_ip": {"ipv4": {"active": false}},
          "dns": {"nameservers": ["2001:4860:4860::8844", "2001:4860:4860::8888", "8.8.8.8"]}
        }
        """

    /// cloud-init's `DO_META_2`: a numeric droplet id, a key list, no private interface.
    static let doMeta2 = """
        {
          "droplet_id": 27223699,
          "hostname": "smtest1",
          "public_keys": ["ssh-rsa AAAAB3NzaN...N3NtHw== smoser@brickies"],
          "auth_key": "88888888888888888888888888888888",
          "region": "nyc3",
          "interfaces": {"public": [{
            "ipv4": {"ip_address": "45.55.249.133", "netmask": "255.255.192.0", "gateway": "45.55.192.1"},
            "anchor_ipv4": {"ip_address": "10.17.0.5", "netmask": "255.255.0.0", "gateway": "10.17.0.1"},
            "mac": "ae:cc:08:7c:88:00", "type": "public"}]},
          "floating_ip": {"ipv4": {"active": true, "ip_address": "138.197.59.92"}},
          "dns": {"nameservers": ["8.8.8.8", "8.8.4.4"]},
          "tags": null
        }
        """

    static func load(_ document: String, dmi: [String: String] = vendor) async throws -> (
        InstanceMetadata?, RecordingCloudTransport
    ) {
        let root = try dmiRoot(dmi)
        let transport = RecordingCloudTransport(texts: ["/metadata/v1.json": document])
        let source = DigitalOceanSource(root: SystemRoot(root.path), client: transport.client)
        return (try await source.load(), transport)
    }

    @Test func aDropletsDocumentGivesItsIdentityKeysAndUserData() async throws {
        let (loaded, transport) = try await Self.load(Self.doMeta)
        let metadata = try #require(loaded)
        #expect(metadata.sourceID == "digitalocean")
        #expect(metadata.instanceID == "22532410")
        #expect(metadata.hostname == "utl-96268")
        #expect(metadata.availabilityZone == "nyc3")
        #expect(metadata.publicKeys.map(\.line) == ["ssh-rsa AAAAB3NzaC1yc2EAAAA... test@do.co"])
        #expect(metadata.userData == Data("userdata goes here".utf8))
        // vendor_data is in user data's formats: it goes where the userdata plugin runs it.
        #expect(metadata.vendorUserData == Data("vendordata goes here".utf8))
        #expect(metadata.vendorData == nil)
        #expect(transport.requests.map(\.url.absoluteString) == ["http://169.254.169.254/metadata/v1.json"])
    }

    /// `DO_META`'s public address was anonymized to 192.0.0.20 but kept the droplet's gateway
    /// 104.236.0.1, outside that /24: the agent leaves that default route out, named, and
    /// keeps the rest of the network (`unreachable-gateway-routes-skipped` in the README).
    @Test func cloudInitsFixtureAsItIsHasAnUnreachableGateway() async throws {
        let (loaded, _) = try await Self.load(Self.doMeta)
        guard case .configuration(let config)? = try #require(loaded).network else {
            Issue.record("expected a configuration, got \(String(describing: loaded?.network))")
            return
        }
        #expect(!config.networks.flatMap(\.routes).contains { "\($0.gateway)" == "104.236.0.1" })
        #expect(config.networks.contains { $0.staticAddress?.description == "192.0.0.20/24" })
        #expect(config.skipped.contains { $0.contains("via 104.236.0.1") }, "\(config.skipped)")
    }

    @Test func theNetworkFollowsCloudInitsConversion() async throws {
        // The same droplet with its public address back in its gateway's network.
        let (loaded, _) = try await Self.load(Self.doMeta.replacing("192.0.0.20", with: "104.236.0.20"))
        guard case .configuration(let config)? = try #require(loaded).network else {
            Issue.record("expected a network configuration, got \(String(describing: loaded?.network))")
            return
        }
        #expect(config.links.map(\.name) == ["eth1", "eth0"])
        #expect(config.links.map(\.macAddress) == ["04:01:57:d1:9e:02", "04:01:57:d1:9e:01"])
        let eth0 = config.networks.filter { $0.linkID == "eth0" }
        #expect(
            eth0.compactMap(\.staticAddress).map(\.description) == [
                "104.236.0.20/24", "2604:a880:800:0:1000::/64", "10.0.0.5/16",
            ])
        // Only the public interface's own addresses route by default; anchor and private do not.
        let gateways = config.networks.flatMap { $0.routes.map { "\($0.gateway)" } }
        #expect(Set(gateways) == ["104.236.0.1", "2604:a880:800::1"])
        #expect(config.dnsServers.map(\.description) == ["2001:4860:4860::8844", "2001:4860:4860::8888", "8.8.8.8"])
    }

    @Test func aNumericDropletIdAndAKeyListAreRead() async throws {
        let metadata = try #require(try await Self.load(Self.doMeta2).0)
        #expect(metadata.instanceID == "27223699")
        #expect(metadata.publicKeys.map(\.line) == ["ssh-rsa AAAAB3NzaN...N3NtHw== smoser@brickies"])
        #expect(metadata.userData == nil)
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration")
            return
        }
        #expect(config.links.map(\.name) == ["eth0"])
    }

    @Test func withoutADropletIdTheDMISerialIsTheInstance() async throws {
        let metadata = try #require(try await Self.load(#"{"hostname": "h"}"#).0)
        #expect(metadata.instanceID == "22532410")
        #expect(metadata.network == nil)
    }

    @Test func withoutTheDMISignalNoRequestIsMade() async throws {
        for dmi in [[:], ["sys_vendor": "QEMU"], ["sys_vendor": "DigitalOcean Inc"], ["product_name": "DigitalOcean"]] {
            let (loaded, transport) = try await Self.load(Self.doMeta, dmi: dmi)
            #expect(loaded == nil, "\(dmi)")
            #expect(transport.requests.isEmpty, "\(dmi): \(transport.requests.map(\.url))")
        }
    }

    @Test(arguments: [
        ("not json", "malformed document at http://169.254.169.254/metadata/v1.json: not valid JSON"),
        ("[1, 2]", "malformed document at http://169.254.169.254/metadata/v1.json: top level is not a JSON object"),
    ])
    func garbageIsANamedError(document: String, message: String) async throws {
        await #expect {
            _ = try await Self.load(document)
        } throws: { "\($0)".hasPrefix(message) }
    }

    @Test func aMissingDocumentAndAMissingIdAreNamed() async throws {
        let root = try dmiRoot(["sys_vendor": "DigitalOcean"])
        let empty = RecordingCloudTransport()
        await #expect {
            _ = try await DigitalOceanSource(root: SystemRoot(root.path), client: empty.client).load()
        } throws: { "\($0)" == "HTTP 404 from http://169.254.169.254/metadata/v1.json" }
        let noID = RecordingCloudTransport(texts: ["/metadata/v1.json": #"{"hostname": "h"}"#])
        await #expect {
            _ = try await DigitalOceanSource(root: SystemRoot(root.path), client: noID.client).load()
        } throws: { "\($0)" == "http://169.254.169.254/metadata/v1.json has no 'droplet_id'" }
    }

    /// Documents with the droplet's keys holding values of every JSON type, nested at random:
    /// each gives metadata or a named error, never a crash.
    @Test func garbageDocumentsNeverCrash() async throws {
        let keys = ["droplet_id", "hostname", "public_keys", "user_data", "vendor_data", "region", "interfaces", "dns"]
        for seed in 0..<200 {
            var rng = SplitMix64(seed: UInt64(seed))
            var members: [String] = []
            for key in keys where rng.chance(70) { members.append("\"\(key)\": \(CloudGarbage.value(&rng, depth: 3))") }
            let document = "{" + members.joined(separator: ", ") + "}"
            do {
                _ = try await Self.load(document)
            } catch let error as DataSourceError {
                #expect("\(error)".contains("metadata/v1.json"), "seed \(seed): \(error)")
            }
        }
    }

    @Test func oddlyTypedFieldsAreRefusedOrIgnoredNotFatal() async throws {
        let document = #"""
            {"droplet_id": 7, "hostname": 5, "public_keys": ["ssh-ed25519 AAAA k", 3], "user_data": {},
             "interfaces": {"public": "eth0"}, "dns": 1}
            """#
        let metadata = try #require(try await Self.load(document).0)
        #expect(metadata.instanceID == "7")
        #expect(metadata.hostname == "7", "a non-string hostname falls back to the droplet id, as in cloud-init")
        #expect(metadata.publicKeys.map(\.line) == ["ssh-ed25519 AAAA k"])
        #expect(metadata.refusedKeys == ["public_keys[1] is not a string"])
        #expect(metadata.userData == nil)
    }
}
