import AgentBase
import Foundation
import TestSupport
import Testing

@testable import DataSources

/// Wakame-vdc's metadata drive read into the agent's metadata: the tree `aws.rb` writes
/// (`WakameMetadataDrive`), from a directory and from a real vfat image (mkfs.vfat + mcopy)
/// found by its label under a scratch root.
@Suite struct WakameSourceTests {
    static let key = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 wakame@example"
    static let mac = "52:54:00:12:34:56"

    static func items(key: String? = key) -> [(String, String?)] {
        WakameMetadataDrive.items(
            instanceID: "i-demo0001", hostname: "wakame-demo", key: key, mac: mac, address: "10.0.2.15",
            gateway: "10.0.2.2", dns: "10.0.2.3")
    }

    static func read(_ items: [(String, String?)], userData: String = "#!/bin/sh\necho hi") throws -> InstanceMetadata?
    {
        let directory = try TemporaryDirectory()
        try WakameMetadataDrive.stage(items, userData: userData, in: directory.path)
        let drive = WakameDrive(
            volume: DirectoryVolume(directory: directory.path, label: "METADATA"), location: "/dev/vdb",
            limits: .standard)
        return try drive.metadata(sourceID: "wakame")
    }

    @Test func theDriveGivesIdentityHostNameKeyUserDataAndNetwork() throws {
        let metadata = try #require(try Self.read(Self.items()))
        #expect(metadata.instanceID == "i-demo0001")
        #expect(metadata.hostname == "wakame-demo")
        #expect(metadata.availabilityZone == nil, "a nil value is a lone line feed")
        #expect(metadata.publicKeys == [PublicKeyEntry(name: "public-keys/0", line: Self.key)])
        #expect(metadata.userData == Data("#!/bin/sh\necho hi\n".utf8))
        #expect(metadata.sourceLocation == "/dev/vdb")
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network, got \(String(describing: metadata.network))")
            return
        }
        #expect(config.links.map(\.macAddress) == [Self.mac])
        let subnet = try #require(config.networks.first)
        #expect(subnet.staticAddress?.description == "10.0.2.15/24")
        #expect(subnet.routes.map(\.gateway.description) == ["10.0.2.2"])
        #expect(subnet.dnsServers.map(\.description) == ["10.0.2.3"])
    }

    @Test func withoutAKeyTheKeyDirectoryIsEmptyAndAnEmptyUserDataIsNone() throws {
        let metadata = try #require(try Self.read(Self.items(key: nil), userData: ""))
        #expect(metadata.publicKeys.isEmpty)
        #expect(metadata.userDataDocument == .absent)
    }

    /// wakame-init gives the default route only to the NIC with the lowest `x-metric`.
    @Test func onlyTheLowestMetricNICGetsTheGateway() throws {
        var items = Self.items()
        let second = "network/interfaces/macs/52-54-00-ab-cd-ef/"
        items += [
            (second + "mac", "52:54:00:ab:cd:ef"), (second + "local-ipv4s", "192.168.5.7"),
            (second + "x-netmask", "255.255.0.0"), (second + "x-gateway", "192.168.0.1"), (second + "x-metric", "10"),
            (second + "x-dns", nil),
        ]
        let metadata = try #require(try Self.read(items))
        guard case .configuration(let config)? = metadata.network else {
            Issue.record("expected a network, got \(String(describing: metadata.network))")
            return
        }
        let routes = config.networks.map {
            "\($0.staticAddress?.description ?? "-") \($0.routes.map(\.gateway.description))"
        }
        #expect(routes.sorted() == ["10.0.2.15/24 []", "192.168.5.7/16 [\"192.168.0.1\"]"])
    }

    @Test func aMetadataVolumeWithoutInstanceIDIsNotWakames() throws {
        #expect(try Self.read(Self.items().filter { $0.0 != "instance-id" }) == nil)
    }

    @Test func aBadAddressIsAnInvalidNetworkNotAFailedDrive() throws {
        let items = Self.items().map { $0.0.hasSuffix("local-ipv4s") ? ($0.0, "10.0.2.999") : $0 }
        let metadata = try #require(try Self.read(items))
        guard case .invalid(let error)? = metadata.network else {
            Issue.record("expected an invalid network, got \(String(describing: metadata.network))")
            return
        }
        #expect("\(error)".contains("local-ipv4s"), "\(error)")
        #expect(metadata.hostname == "wakame-demo")
    }

    @Test func aNICFileThatIsNotTextIsAnInvalidNetworkToo() throws {
        let directory = try TemporaryDirectory()
        try WakameMetadataDrive.stage(Self.items(), userData: "", in: directory.path)
        let dns = directory.path + "/meta-data/network/interfaces/macs/52-54-00-12-34-56/x-dns"
        try Data([0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: dns))
        let drive = WakameDrive(
            volume: DirectoryVolume(directory: directory.path, label: "METADATA"), location: "/dev/vdb",
            limits: .standard)
        let metadata = try #require(try drive.metadata(sourceID: "wakame"))
        guard case .invalid(let error)? = metadata.network else {
            Issue.record("expected an invalid network, got \(String(describing: metadata.network))")
            return
        }
        #expect("\(error)".contains("x-dns"), "\(error)")
        #expect(metadata.hostname == "wakame-demo")
    }

    @Test(.enabled(if: ConfigDriveImages.toolsPresent, "needs mkfs.vfat and mtools"))
    func aRealVfatImageIsFoundByItsLabelAndRead() async throws {
        let work = try TemporaryDirectory()
        let root = try TemporaryDirectory()
        try FileManager.default.createDirectory(
            atPath: root.path + "/dev/disk/by-label", withIntermediateDirectories: true)
        try await WakameMetadataDrive.image(
            Self.items(), userData: "#cloud-config\n", in: work, output: root.path + "/dev/vdb")
        try FileManager.default.createSymbolicLink(
            atPath: root.path + "/dev/disk/by-label/METADATA", withDestinationPath: "/dev/vdb")
        let metadata = try #require(try await WakameSource(root: SystemRoot(root.path)).load())
        #expect(metadata.instanceID == "i-demo0001")
        #expect(metadata.publicKeys.map(\.line) == [Self.key])
        #expect(metadata.sourceLocation == "/dev/vdb")
        #expect(metadata.userData == Data("#cloud-config\n".utf8))
    }

    @Test(.enabled(if: ConfigDriveImages.toolsPresent, "needs mkfs.vfat and mtools"))
    func aVfatVolumeWithAnotherLabelIsPassedOver() async throws {
        let work = try TemporaryDirectory()
        let root = try TemporaryDirectory()
        try FileManager.default.createDirectory(
            atPath: root.path + "/dev/disk/by-label", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: root.path + "/sys/class/block/vdb", withIntermediateDirectories: true)
        let image = root.path + "/dev/vdb"
        try await WakameMetadataDrive.image(Self.items(), userData: "", in: work, output: image)
        try ConfigDriveImages.check(await Program.tool("mlabel", ["-i", image, "::OTHER"]), "mlabel")
        #expect(try await WakameSource(root: SystemRoot(root.path)).load() == nil)
    }
}
