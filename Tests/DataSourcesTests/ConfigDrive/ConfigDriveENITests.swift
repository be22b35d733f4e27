import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// A config drive whose meta_data.json points at ENI text (`network_config.content_path`),
/// as Proxmox VE's `configdrive2` writes it: no network_data.json, the text in
/// `openstack/content/0000`.
@Suite(.serialized) struct ConfigDriveENITests {
    static let eni = ENIConverterTests.proxmox

    /// The default fixtures without network_data.json, with `network_config` pointing at
    /// `contentPath` and `eni` (when given) written to `openstack/content/<file>`.
    static func proxmoxStage(
        in work: TemporaryDirectory, contentPath: Any = "/content/0001", file: String? = "0001",
        keepNetworkData: Bool = false
    ) throws -> String {
        try ConfigDriveImages.stage(in: work) { stage in
            for version in try FileManager.default.contentsOfDirectory(atPath: stage + "/openstack")
            where version != "content" && !keepNetworkData {
                try? FileManager.default.removeItem(atPath: stage + "/openstack/\(version)/network_data.json")
            }
            try ConfigDriveSourceTests.editMeta(stage) { $0["network_config"] = ["content_path": contentPath] }
            if let file {
                try Data(eni.utf8).write(to: URL(fileURLWithPath: stage + "/openstack/content/" + file))
            }
        }
    }

    @Test func theENITextIsTheNetworkWhenThereIsNoNetworkData() async throws {
        let work = try TemporaryDirectory()
        let stage = try Self.proxmoxStage(in: work)
        let metadata = try #require(try await ConfigDriveSourceTests.source([stage]).load())
        #expect(metadata.network == NetworkDescription.fromENI(Self.eni))
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("no network: \(String(describing: metadata.network))")
            return
        }
        #expect(config.links.map(\.name) == ["eth0", "eth1"])
        #expect(config.dnsServers.map(\.description) == ["192.0.2.53", "192.0.2.54"])
    }

    @Test(.enabled(if: ConfigDriveImages.toolsPresent, "needs genisoimage"))
    func aProxmoxShapedISOIsRead() async throws {
        let work = try TemporaryDirectory()
        let stage = try Self.proxmoxStage(in: work, contentPath: "/content/0000", file: "0000")
        let image = work.path + "/drive.iso"
        try await ConfigDriveImages.iso(from: stage, to: image)
        let metadata = try #require(try await ConfigDriveSourceTests.source([image]).load())
        #expect(metadata.network == NetworkDescription.fromENI(Self.eni))
    }

    @Test func networkDataWinsOverTheENIText() async throws {
        let work = try TemporaryDirectory()
        let stage = try Self.proxmoxStage(in: work, keepNetworkData: true)
        let metadata = try #require(try await ConfigDriveSourceTests.source([stage]).load())
        let networkData = try Data(contentsOf: URL(fileURLWithPath: stage + "/openstack/latest/network_data.json"))
        #expect(metadata.network == OpenStackNetworkConverter.describe(networkData))
    }

    @Test(arguments: [
        ("../../etc/shadow", "is not a file under openstack/content/"),
        ("/content/0009", "does not exist"),
        ("", "not an object with a string content_path"),
    ])
    func aBadPointerFailsOnlyTheNetwork(contentPath: String, reason: String) async throws {
        let work = try TemporaryDirectory()
        // "" stands for a pointer that is not a string at all.
        let pointer: Any = contentPath.isEmpty ? ["nested": true] : contentPath
        let stage = try Self.proxmoxStage(in: work, contentPath: pointer)
        let metadata = try #require(try await ConfigDriveSourceTests.source([stage]).load())
        guard case .invalid(let error)? = metadata.network else {
            Issue.record("not refused: \(String(describing: metadata.network))")
            return
        }
        #expect(error.description.contains(reason), "\(error)")
        #expect(error.description.contains("network_config"), "\(error)")
        // The rest of the source is there: only the network plugin will fail.
        #expect(metadata.instanceID == "4b2c7d8e-1f3a-4c5b-9d6e-7f8091a2b3c4")
    }
}
