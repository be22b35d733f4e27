import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// UpCloud's `v1.json` read into the agent's metadata, from cloud-init's `UC_METADATA`
/// (tests/unittests/sources/test_upcloud.py).
@Suite struct UpCloudSourceTests {
    static let vendor = ["sys_vendor": "UpCloud", "product_uuid": "00322b68-0096-4042-9406-faad61922128"]

    /// cloud-init's `UC_METADATA`, verbatim.
    static let ucMetadata = """
        {
          "cloud_name": "upcloud",
          "instance_id": "00322b68-0096-4042-9406-faad61922128",
          "hostname": "test.example.com",
          "platform": "servers",
          "subplatform": "metadata (http://169.254.169.254)",
          "public_keys": [
            "ssh-rsa AAAAB.... test1@example.com",
            "ssh-rsa AAAAB.... test2@example.com"
          ],
          "region": "fi-hel2",
          "network": {
            "interfaces": [
              {
                "index": 1,
                "ip_addresses": [
                  {
                    "address": "94.237.105.53",
                    "dhcp": true,
                    "dns": [
                      "94.237.127.9",
                      "94.237.40.9"
                    ],
                    "family": "IPv4",
                    "floating": false,
                    "gateway": "94.237.104.1",
                    "network": "94.237.104.0/22"
                  },
                  {
                    "address": "94.237.105.50",
                    "dhcp": false,
                    "dns": null,
                    "family": "IPv4",
                    "floating": true,
                    "gateway": "",
                    "network": "94.237.105.50/32"
                  }
                ],
                "mac": "3a:d6:ba:4a:36:e7",
                "network_id": "031457f4-0f8c-483c-96f2-eccede02909c",
                "type": "public"
              },
              {
                "index": 2,
                "ip_addresses": [
                  {
                    "address": "10.6.3.27",
                    "dhcp": true,
                    "dns": null,
                    "family": "IPv4",
                    "floating": false,
                    "gateway": "10.6.0.1",
                    "network": "10.6.0.0/22"
                  }
                ],
                "mac": "3a:d6:ba:4a:84:cc",
                "network_id": "03d82553-5bea-4132-b29a-e1cf67ec2dd1",
                "type": "utility"
              },
              {
                "index": 3,
                "ip_addresses": [
                  {
                    "address": "2a04:3545:1000:720:38d6:baff:fe4a:63e7",
                    "dhcp": true,
                    "dns": [
                      "2a04:3540:53::1",
                      "2a04:3544:53::1"
                    ],
                    "family": "IPv6",
                    "floating": false,
                    "gateway": "2a04:3545:1000:720::1",
                    "network": "2a04:3545:1000:720::/64"
                  }
                ],
                "mac": "3a:d6:ba:4a:63:e7",
                "network_id": "03000000-0000-4000-8046-000000000000",
                "type": "public"
              },
              {
                "index": 4,
                "ip_addresses": [
                  {
                    "address": "172.30.1.10",
                    "dhcp": true,
                    "dns": null,
                    "family": "IPv4",
                    "floating": false,
                    "gateway": "172.30.1.1",
                    "network": "172.30.1.0/24"
                  }
                ],
                "mac": "3a:d6:ba:4a:8a:e1",
                "network_id": "035a0a4a-7704-4de5-820d-189fc8132714",
                "type": "private"
              }
            ],
            "dns": [
              "94.237.127.9",
              "94.237.40.9"
            ]
          },
          "storage": {
            "disks": [
              {
                "id": "014efb65-223b-4d44-8f0a-c29535b88dcf",
                "serial": "014efb65223b4d448f0a",
                "size": 10240,
                "type": "disk",
                "tier": "maxiops"
              }
            ]
          },
          "tags": [],
          "user_data": "",
          "vendor_data": ""
        }
        """

    static func load(_ document: String, dmi: [String: String] = vendor) async throws -> (
        InstanceMetadata?, RecordingCloudTransport
    ) {
        let root = try dmiRoot(dmi)
        let transport = RecordingCloudTransport(texts: ["/metadata/v1.json": document])
        return (try await UpCloudSource(root: SystemRoot(root.path), client: transport.client).load(), transport)
    }

    @Test func theServersDocumentGivesItsIdentityAndKeys() async throws {
        let (loaded, transport) = try await Self.load(Self.ucMetadata)
        let metadata = try #require(loaded)
        #expect(metadata.sourceID == "upcloud")
        #expect(metadata.instanceID == "00322b68-0096-4042-9406-faad61922128")
        #expect(metadata.hostname == "test.example.com")
        #expect(metadata.availabilityZone == "fi-hel2")
        #expect(
            metadata.publicKeys.map(\.line) == [
                "ssh-rsa AAAAB.... test1@example.com", "ssh-rsa AAAAB.... test2@example.com",
            ])
        // "" is UpCloud's "none".
        #expect(metadata.userDataDocument == .absent)
        #expect(metadata.vendorUserDataDocument == .absent)
        #expect(transport.requests.map(\.url.absoluteString) == ["http://169.254.169.254/metadata/v1.json"])
    }

    @Test func theNetworkFollowsCloudInitsConversion() async throws {
        let metadata = try #require(try await Self.load(Self.ucMetadata).0)
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration, got \(String(describing: metadata.network))")
            return
        }
        #expect(
            config.links.map(\.macAddress) == [
                "3a:d6:ba:4a:36:e7", "3a:d6:ba:4a:84:cc", "3a:d6:ba:4a:63:e7", "3a:d6:ba:4a:8a:e1",
            ])
        let methods = config.networks.map { "\($0.linkID) \($0.staticAddress.map(\.description) ?? "\($0.method)")" }
        #expect(
            methods == [
                "eth0 dhcp4", "eth0 94.237.105.50/32", "eth1 dhcp4", "eth2 dhcp6Stateless", "eth3 dhcp4",
            ])
        // The floating address has no gateway: no route of its own.
        #expect(config.networks[1].routes.isEmpty)
        #expect(config.dnsServers.map(\.description) == ["94.237.127.9", "94.237.40.9"])
    }

    @Test func withoutAnInstanceIdTheDMIUUIDIsTheInstance() async throws {
        let metadata = try #require(try await Self.load(##"{"hostname": "h", "user_data": "#!/bin/sh\n"}"##).0)
        #expect(metadata.instanceID == "00322b68-0096-4042-9406-faad61922128")
        #expect(metadata.userData == Data("#!/bin/sh\n".utf8))
        #expect(metadata.network == nil)
    }

    @Test func withoutTheDMISignalNoRequestIsMade() async throws {
        for dmi in [[:], ["sys_vendor": "DigitalOcean"], ["product_name": "UpCloud"]] {
            let (loaded, transport) = try await Self.load(Self.ucMetadata, dmi: dmi)
            #expect(loaded == nil, "\(dmi)")
            #expect(transport.requests.isEmpty, "\(dmi): \(transport.requests.map(\.url))")
        }
    }

    @Test(arguments: [
        ("not json", "not valid JSON"), ("[]", "top level is not a JSON object"),
        (#"{"network": {"interfaces": [{"mac": "zz", "ip_addresses": [{"dhcp": true}]}]}, "instance_id": "i"}"#, ""),
    ])
    func garbageIsANamedError(document: String, message: String) async throws {
        if message.isEmpty {
            // A broken network is named in the network only: the server still loads.
            let metadata = try #require(try await Self.load(document).0)
            guard case .invalid(let error)? = metadata.network else {
                Issue.record("expected an invalid network, got \(String(describing: metadata.network))")
                return
            }
            #expect("\(error)".contains("mac_address"), "\(error)")
            return
        }
        await #expect {
            _ = try await Self.load(document, dmi: ["sys_vendor": "UpCloud"])
        } throws: { "\($0)".contains("http://169.254.169.254/metadata/v1.json") && "\($0)".contains(message) }
    }

    @Test func garbageDocumentsNeverCrash() async throws {
        let keys = ["instance_id", "hostname", "public_keys", "user_data", "vendor_data", "region", "network"]
        for seed in 0..<200 {
            var rng = SplitMix64(seed: UInt64(seed))
            var members: [String] = []
            for key in keys where rng.chance(70) { members.append("\"\(key)\": \(CloudGarbage.value(&rng, depth: 4))") }
            do {
                _ = try await Self.load("{" + members.joined(separator: ", ") + "}")
            } catch let error as DataSourceError {
                #expect("\(error)".contains("metadata/v1.json"), "seed \(seed): \(error)")
            }
        }
    }
}
