import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// Vultr's `v1.json` read into the agent's metadata, from cloud-init's `VULTR_V1_1` and
/// `VULTR_V1_2` (tests/unittests/sources/test_vultr.py) and the network cloud-init expects
/// of the second (`EXPECTED_VULTR_NETWORK_2`).
@Suite struct VultrSourceTests {
    static let vendor = ["sys_vendor": "Vultr"]

    /// cloud-init's `VENDOR_DATA`.
    static let vendorData = """
        #cloud-config
        package_upgrade: true
        disable_root: 0
        ssh_pwauth: 1
        chpasswd:
          expire: false
          list:
          - root:$6$SxXx...k2mJNIzZB5vMCDBlYT1

        """

    /// cloud-init's `VULTR_V1_2` (the `bgp` block left out), `user-data` `[]` as there.
    static func v12(vendorData: String = vendorData) throws -> String {
        let document: [String: Any] = [
            "hostname": "CLOUDINIT_2", "local-hostname": "CLOUDINIT_2",
            "instance-v2-id": "29bea708-2e6e-480a-90ad-0e6b5d5ad62f",
            "instance-id": "29bea708-2e6e-480a-90ad-0e6b5d5ad62f", "instanceid": "42872224",
            "interfaces": [
                [
                    "ipv4": [
                        "additional": [], "address": "45.76.7.171", "gateway": "45.76.6.1",
                        "netmask": "255.255.254.0",
                    ],
                    "ipv6": [
                        "additional": [["network": "2002:19f0:5:28a7::", "prefix": "64"]],
                        "address": "2001:19f0:5:28a7:5400:03ff:fe1b:4eca", "network": "2001:19f0:5:28a7::",
                        "prefix": "64",
                    ],
                    "mac": "56:00:03:1b:4e:ca", "network-type": "public",
                ],
                [
                    "ipv4": ["additional": [], "address": "10.1.112.3", "gateway": "", "netmask": "255.255.240.0"],
                    "ipv6": ["additional": [], "network": "", "prefix": ""], "mac": "5a:00:03:1b:4e:ca",
                    "network-type": "private", "network-v2-id": "fbbe2b5b-b986-4396-87f5-7246660ccb64",
                    "networkid": "net5e7155329d730",
                ],
            ],
            "public-keys": ["ssh-rsa AAAAB3NzaC1y...IQQhv5PAOKaIl+mM3c= test3@key"],
            "region": ["regioncode": "EWR", "countrycode": "US"], "user-defined": [],
            "startup-script": "echo No configured startup script", "user-data": [], "vendor-data": vendorData,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
    }

    static func load(_ document: String, dmi: [String: String] = vendor, cmdline: String? = nil) async throws -> (
        InstanceMetadata?, RecordingCloudTransport
    ) {
        let root = try dmiRoot(dmi)
        if let cmdline { try root.write(cmdline, to: "proc/cmdline") }
        let transport = RecordingCloudTransport(texts: ["/v1.json": document])
        return (try await VultrSource(root: SystemRoot(root.path), client: transport.client).load(), transport)
    }

    @Test func theInstanceDocumentGivesIdentityKeysAndVendorData() async throws {
        let (loaded, transport) = try await Self.load(try Self.v12())
        let metadata = try #require(loaded)
        #expect(metadata.sourceID == "vultr")
        #expect(metadata.instanceID == "29bea708-2e6e-480a-90ad-0e6b5d5ad62f")
        #expect(metadata.hostname == "CLOUDINIT_2")
        #expect(metadata.availabilityZone == "us")
        #expect(metadata.publicKeys.map(\.line) == ["ssh-rsa AAAAB3NzaC1y...IQQhv5PAOKaIl+mM3c= test3@key"])
        #expect(metadata.userDataDocument == .absent, "[] is Vultr's 'no user data'")
        #expect(metadata.vendorUserData == Data(Self.vendorData.utf8))
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "http://169.254.169.254/v1.json")
        #expect(request.headers["Metadata-Token"] == "cloudinit")
    }

    /// `EXPECTED_VULTR_NETWORK_2`: the name servers, DHCP and SLAAC plus the additional IPv6
    /// network on the first interface, the private interface's static address.
    @Test func theNetworkIsCloudInitsExpectedOne() async throws {
        let metadata = try #require(try await Self.load(try Self.v12()).0)
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration, got \(String(describing: metadata.network))")
            return
        }
        #expect(config.dnsServers.map(\.description) == ["108.61.10.10", "2001:19f0:300:1704::6"])
        #expect(config.links.map(\.macAddress) == ["56:00:03:1b:4e:ca", "5a:00:03:1b:4e:ca"])
        // cloud-init's `accept-ra: 1` on the public interface.
        #expect(config.links.map(\.acceptRA) == [true, nil])
        let methods = config.networks.map { "\($0.linkID) \($0.staticAddress.map(\.description) ?? "\($0.method)")" }
        #expect(methods == ["eth0 dhcp4", "eth0 slaac", "eth0 2002:19f0:5:28a7::/64", "eth1 10.1.112.3/20"])
    }

    /// cloud-init's `CLOUD_INTERFACES` (test_vultr.py, cloud-init 23.1 and later): Vultr's own
    /// network config v1, which wins over `interfaces` (here emptied, as the test's
    /// `VULTR_V1_3` has it); its physical entries have no name and are matched by MAC.
    static var cloudInterfaces: [String: Any] {
        [
            "version": 1,
            "config": [
                ["type": "nameserver", "address": ["108.61.10.10", "2001:19f0:300:1704::6"]],
                [
                    "type": "physical", "mac_address": "56:00:03:1b:4e:ca", "accept-ra": 1,
                    "subnets": [
                        ["type": "dhcp", "control": "auto"], ["type": "ipv6_slaac", "control": "auto"],
                        ["type": "static6", "control": "auto", "address": "2002:19f0:5:28a7::/64"],
                    ],
                ],
                [
                    "type": "physical", "mac_address": "5a:00:03:1b:4e:ca",
                    "subnets": [
                        ["type": "static", "control": "auto", "address": "10.1.112.3", "netmask": "255.255.240.0"]
                    ],
                ],
            ],
        ]
    }

    @Test func cloudInterfacesIsTheNetworkWhenGiven() async throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(try Self.v12().utf8)) as? [String: Any])
        object["cloud_interfaces"] = Self.cloudInterfaces
        object["interfaces"] = [Any]()
        let document = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let metadata = try #require(try await Self.load(document).0)
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration, got \(String(describing: metadata.network))")
            return
        }
        // The same network cloud-init expects of it (`EXPECTED_VULTR_NETWORK_2`).
        #expect(config.dnsServers.map(\.description) == ["108.61.10.10", "2001:19f0:300:1704::6"])
        #expect(config.links.map(\.macAddress) == ["56:00:03:1b:4e:ca", "5a:00:03:1b:4e:ca"])
        #expect(config.links.map(\.acceptRA) == [true, nil])
        let methods = config.networks.map { "\($0.linkID) \($0.staticAddress.map(\.description) ?? "\($0.method)")" }
        #expect(methods == ["eth0 dhcp4", "eth0 slaac", "eth0 2002:19f0:5:28a7::/64", "eth1 10.1.112.3/20"])
    }

    /// cloud-init's `get_interface_name`: each link carries the name of the guest's NIC with
    /// its MAC (the test's `INTERFACE_MAP`), so nothing is renamed; both ways of giving the
    /// network. A MAC the guest lacks keeps `eth<position>`.
    @Test(arguments: [false, true])
    func linksAreNamedAfterTheGuestsNICs(cloudInterfaces: Bool) async throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(try Self.v12().utf8)) as? [String: Any])
        if cloudInterfaces {
            object["cloud_interfaces"] = Self.cloudInterfaces
            object["interfaces"] = [Any]()
        }
        let document = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let root = try dmiRoot(Self.vendor)
        try root.write("56:00:03:1B:4E:CA\n", to: "sys/class/net/enp1s0/address")
        let transport = RecordingCloudTransport(texts: ["/v1.json": document])
        let metadata = try #require(try await VultrSource(root: SystemRoot(root.path), client: transport.client).load())
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration, got \(String(describing: metadata.network))")
            return
        }
        #expect(config.links.map(\.name) == ["enp1s0", "eth1"])
    }

    /// A `cloud_interfaces` that is no network config is named, not ignored for `interfaces`.
    @Test func aBrokenCloudInterfacesIsInvalid() async throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(try Self.v12().utf8)) as? [String: Any])
        object["cloud_interfaces"] = ["version": 1, "config": [["type": "physical", "subnets": "dhcp"]]]
        let document = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let metadata = try #require(try await Self.load(document).0)
        guard case .invalid(let error)? = metadata.network else {
            Issue.record("expected .invalid, got \(String(describing: metadata.network))")
            return
        }
        #expect("\(error)".contains("subnets"), "\(error)")
    }

    @Test func anEmptyHostnameIsGuestAndAnUnconfiguredPrivateInterfaceIsLeftOut() async throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(try Self.v12().utf8)) as? [String: Any])
        object["hostname"] = ""
        var interfaces = try #require(object["interfaces"] as? [[String: Any]])
        interfaces[1]["unconfigured"] = true
        object["interfaces"] = interfaces
        let document = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let metadata = try #require(try await Self.load(document).0)
        #expect(metadata.hostname == "guest")
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration")
            return
        }
        #expect(config.links.count == 1)
    }

    @Test func theWordVultrOnTheKernelCommandLineIsASignalToo() async throws {
        #expect(try await Self.load(try Self.v12(), dmi: [:], cmdline: "ro quiet vultr\n").0 != nil)
        let (loaded, transport) = try await Self.load(try Self.v12(), dmi: [:], cmdline: "ro vultrx novultr\n")
        #expect(loaded == nil)
        #expect(transport.requests.isEmpty)
    }

    @Test func withoutTheDMISignalNoRequestIsMade() async throws {
        for dmi in [[:], ["sys_vendor": "vultr"], ["product_name": "Vultr"], ["sys_vendor": "Vultr Holdings"]] {
            let (loaded, transport) = try await Self.load(try Self.v12(), dmi: dmi)
            #expect(loaded == nil, "\(dmi)")
            #expect(transport.requests.isEmpty, "\(dmi): \(transport.requests.map(\.url))")
        }
    }

    @Test(arguments: [
        ("<html>", "not valid JSON"), ("1", "top level is not a JSON object"),
        (#"{"hostname": "h"}"#, "instance-v2-id"),
    ])
    func garbageIsANamedError(document: String, message: String) async throws {
        await #expect {
            _ = try await Self.load(document)
        } throws: { "\($0)".contains("http://169.254.169.254/v1.json") && "\($0)".contains(message) }
    }

    @Test func garbageDocumentsNeverCrash() async throws {
        let keys = ["instance-v2-id", "hostname", "public-keys", "user-data", "vendor-data", "region", "interfaces"]
        for seed in 0..<200 {
            var rng = SplitMix64(seed: UInt64(seed))
            var members: [String] = []
            for key in keys where rng.chance(70) { members.append("\"\(key)\": \(CloudGarbage.value(&rng, depth: 4))") }
            do {
                _ = try await Self.load("{" + members.joined(separator: ", ") + "}")
            } catch let error as DataSourceError {
                #expect("\(error)".contains("/v1.json"), "seed \(seed): \(error)")
            }
        }
    }
}
