import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// IMDS's instance document read into the agent's metadata: cloud-init 22.4.2's fields
/// (test_azure.py `NETWORK_METADATA` shape, api-version 2021-08-01), the `Metadata: true`
/// header, the DMI gate, the network as cloud-init generates it, and the ready report the
/// instance carries.
@Suite struct AzureSourceTests {
    static let tag = ["chassis_asset_tag": "7783-7084-3265-9085-8269-3286-77"]
    static let imdsPath = "/metadata/instance?api-version=2021-08-01&extended=true"
    static let userData = "#cloud-config\nruncmd: [true]\n"

    static func instance(userData: String? = Self.userData, interfaces: String? = nil) -> String {
        let encoded = userData.map { #""userData": "\#(Data($0.utf8).base64EncodedString())","# } ?? ""
        let network =
            interfaces ?? """
                [{"ipv4": {"ipAddress": [{"privateIpAddress": "10.0.0.4", "publicIpAddress": "104.46.124.81"},
                                          {"privateIpAddress": "10.0.0.5", "publicIpAddress": ""}],
                           "subnet": [{"address": "10.0.0.0", "prefix": "24"}]},
                  "ipv6": {"ipAddress": [{"privateIpAddress": "fd00::4"}], "subnet": [{"address": "fd00::", "prefix": "64"}]},
                  "macAddress": "000D3A047598"},
                 {"ipv4": {"ipAddress": [{"privateIpAddress": "10.0.1.4"}], "subnet": [{"address": "10.0.1.0", "prefix": "24"}]},
                  "ipv6": {"ipAddress": []}, "macAddress": "000D3A0475A1"},
                 {"ipv4": {"ipAddress": []}, "ipv6": {"ipAddress": []}, "macAddress": "000D3A0475A2"}]
                """
        return """
            {"compute": {"location": "eastus2", "name": "my-vm-resource", "vmId": "ff702a6b-cb6a-4fcd-ad68-b4ce38227642",
                         "zone": "", \(encoded)
                         "osProfile": {"adminUsername": "azureuser", "computerName": "hostname1",
                                       "disablePasswordAuthentication": "true"},
                         "publicKeys": [{"keyData": "ssh-rsa AAAAB3NzaC1yc2E key1", "path": "/home/azureuser/.ssh/authorized_keys"},
                                        {"path": "/x"}]},
             "network": {"interface": \(network)}}
            """
    }

    /// `seed`: an `ovf-env.xml` for the root's `/var/lib/cloud/seed/azure`.
    static func load(
        _ routes: [String: (status: Int, body: Data)], dmi: [String: String] = tag, seed: String? = nil
    ) async throws -> (InstanceMetadata?, RecordingCloudTransport) {
        let root = try dmiRoot(dmi)
        if let seed { try root.write(seed, to: "var/lib/cloud/seed/azure/ovf-env.xml") }
        let transport = RecordingCloudTransport(routes)
        return (try await AzureSource(root: SystemRoot(root.path), client: transport.client).load(), transport)
    }

    @Test func imdsGivesIdentityUserKeysUserDataAndTheReadyReport() async throws {
        let (loaded, transport) = try await Self.load([Self.imdsPath: (200, Data(Self.instance().utf8))])
        let metadata = try #require(loaded)
        #expect(metadata.sourceID == "azure")
        #expect(metadata.instanceID == "ff702a6b-cb6a-4fcd-ad68-b4ce38227642")
        #expect(metadata.hostname == "hostname1", "osProfile.computerName, not the resource's name")
        #expect(metadata.adminUsername == "azureuser")
        #expect(metadata.publicKeys.map(\.line) == ["ssh-rsa AAAAB3NzaC1yc2E key1"])
        #expect(metadata.refusedKeys == ["compute.publicKeys[1] has no keyData string"])
        #expect(metadata.userData == Data(Self.userData.utf8))
        #expect(metadata.availabilityZone == "eastus2")
        #expect(metadata.readyReport == WireServerReadyReport())
        #expect(metadata.platformPassword == nil)
        let request = try #require(transport.requests.first)
        #expect(transport.requests.count == 1)
        #expect(request.headers["Metadata"] == "true")
        #expect(request.url.absoluteString == "http://169.254.169.254" + Self.imdsPath)
    }

    /// cloud-init's `generate_network_config_from_instance_network_metadata`: DHCP on each NIC
    /// with an address, matched by MAC; the second IPv4 address static with the subnet's
    /// prefix; DHCPv6 where IPv6 addresses are; a NIC without addresses left out.
    @Test func theNetworkIsCloudInitsGeneratedOne() async throws {
        let metadata = try #require(try await Self.load([Self.imdsPath: (200, Data(Self.instance().utf8))]).0)
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network configuration, got \(String(describing: metadata.network))")
            return
        }
        #expect(config.links.map(\.macAddress) == ["00:0d:3a:04:75:98", "00:0d:3a:04:75:a1"])
        let methods = config.networks.map { "\($0.linkID) \($0.staticAddress.map(\.description) ?? "\($0.method)")" }
        #expect(methods == ["eth0 dhcp4", "eth0 dhcp6", "eth0 10.0.0.5/24", "eth1 dhcp4"], "\(methods)")
    }

    @Test func withoutTheChassisTagNoRequestIsMade() async throws {
        for dmi in [
            [:], ["chassis_asset_tag": "7783-7084-3265-9085-8269-3286-78"], ["sys_vendor": "Microsoft Corporation"],
        ] {
            let (loaded, transport) = try await Self.load([Self.imdsPath: (200, Data(Self.instance().utf8))], dmi: dmi)
            #expect(loaded == nil, "\(dmi)")
            #expect(transport.requests.isEmpty, "\(dmi): \(transport.requests.map(\.url))")
        }
    }

    /// cloud-init's `get_imds_data_with_api_fallback`: a 400 to the wanted version means an
    /// older IMDS; the minimum version is asked then.
    @Test func anOlderIMDSIsAskedAtTheMinimumVersion() async throws {
        let (loaded, transport) = try await Self.load([
            Self.imdsPath: (400, Data("{}".utf8)),
            "/metadata/instance?api-version=2019-06-01": (200, Data(Self.instance(userData: nil).utf8)),
        ])
        #expect(loaded?.hostname == "hostname1")
        #expect(loaded?.userData == nil)
        #expect(
            transport.requests.map(\.url.query) == ["api-version=2021-08-01&extended=true", "api-version=2019-06-01"])
    }

    @Test func userDataThatIsNotBase64IsUnreadableNotTheSourcesFailure() async throws {
        let text = Self.instance(userData: nil).replacingOccurrences(
            of: #""zone": "","#, with: #""zone": "", "userData": "%%%","#)
        let metadata = try #require(try await Self.load([Self.imdsPath: (200, Data(text.utf8))]).0)
        #expect(metadata.hostname == "hostname1")
        #expect(metadata.unreadableDocuments.map(\.document) == ["user data"])
    }

    /// The media (here the seed directory) and IMDS together, as cloud-init merges them:
    /// IMDS's host name, user and keys; the media's CustomData as user data, its password for
    /// the admin user, and `ssh_pwauth` from DisableSshPasswordAuthentication as vendor data.
    @Test func theMediaGivesPasswordCustomDataAndPasswordAuthentication() async throws {
        let custom = "#cloud-config\nfinal_message: from the media\n"
        let seed = AzureOVFEnvironmentTests.document(
            extra: """
                <wa:UserPassword>Pa55-word</wa:UserPassword>
                <wa:DisableSshPasswordAuthentication>false</wa:DisableSshPasswordAuthentication>
                <wa:CustomData>\(Data(custom.utf8).base64EncodedString())</wa:CustomData>
                """)
        let (loaded, _) = try await Self.load([Self.imdsPath: (200, Data(Self.instance().utf8))], seed: seed)
        let metadata = try #require(loaded)
        #expect(metadata.sourceLocation == "/var/lib/cloud/seed/azure")
        #expect(metadata.hostname == "hostname1")
        #expect(metadata.adminUsername == "azureuser")
        #expect(metadata.publicKeys.map(\.line) == ["ssh-rsa AAAAB3NzaC1yc2E key1"])
        #expect(metadata.userData == Data(custom.utf8), "the media's CustomData wins over IMDS's userData")
        #expect(
            metadata.platformPassword
                == PlatformPassword(secret: .clearText("Pa55-word"), origin: "Azure ovf-env.xml UserPassword"))
        #expect(metadata.vendorUserData == Data("#cloud-config\nssh_pwauth: true\n".utf8))
    }

    /// IMDS broken but the media there: the instance is the media's, its id the DMI system
    /// UUID in lower case (cloud-init's `_iid`).
    @Test func withTheMediaABrokenIMDSLeavesTheMediasInstance() async throws {
        let seed = AzureOVFEnvironmentTests.document(
            extra: """
                <wa:DisableSshPasswordAuthentication>true</wa:DisableSshPasswordAuthentication>
                <wa:SSH><wa:PublicKeys><wa:PublicKey><wa:Value>ssh-ed25519 AAAAC3 m</wa:Value></wa:PublicKey>
                </wa:PublicKeys></wa:SSH>
                """)
        var dmi = Self.tag
        dmi["product_uuid"] = "FF702A6B-CB6A-4FCD-AD68-B4CE38227642"
        let (loaded, _) = try await Self.load([Self.imdsPath: (500, Data())], dmi: dmi, seed: seed)
        let metadata = try #require(loaded)
        #expect(metadata.instanceID == "ff702a6b-cb6a-4fcd-ad68-b4ce38227642")
        #expect(metadata.hostname == "ovf-host")
        #expect(metadata.adminUsername == "myuser")
        #expect(metadata.publicKeys.map(\.line) == ["ssh-ed25519 AAAAC3 m"])
        #expect(metadata.userData == nil)
        #expect(metadata.platformPassword == nil)
        #expect(metadata.vendorUserData == Data("#cloud-config\nssh_pwauth: false\n".utf8))
    }

    @Test func aBrokenSeededOVFIsANamedError() async throws {
        await #expect {
            _ = try await Self.load(
                [Self.imdsPath: (200, Data(Self.instance().utf8))], seed: "<Environment><ProvisioningSection>")
        } throws: { error in
            guard case DataSourceError.malformedDocument(let location, _) = error else { return false }
            return location == "/var/lib/cloud/seed/azure/ovf-env.xml"
        }
    }

    /// The seed directory is placed on purpose: an `ovf-env.xml` there that is not a regular
    /// file is an error, not passed over as an unreadable device is.
    @Test func anUnreadableSeedIsAnError() async throws {
        let root = try dmiRoot(Self.tag)
        try FileManager.default.createDirectory(
            atPath: root.path + "/var/lib/cloud/seed/azure/ovf-env.xml", withIntermediateDirectories: true)
        let transport = RecordingCloudTransport([Self.imdsPath: (200, Data(Self.instance().utf8))])
        await #expect {
            _ = try await AzureSource(root: SystemRoot(root.path), client: transport.client).load()
        } throws: { error in
            "\(error)".contains("ovf-env.xml") && "\(error)".contains("not a regular file")
        }
    }

    @Test(arguments: [
        (404, "{}", "HTTP 404"), (200, "<html>", "not valid JSON"), (200, #"{"network": {}}"#, "has no 'compute'"),
        (200, #"{"compute": {"name": "x"}}"#, "compute.vmId"),
    ])
    func aBrokenIMDSIsANamedError(status: Int, body: String, reason: String) async throws {
        await #expect {
            _ = try await Self.load([Self.imdsPath: (status, Data(body.utf8))])
        } throws: { error in
            "\(error)".contains(reason)
        }
    }
}
