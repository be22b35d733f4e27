import DataSources
import Foundation
import TestSupport
import Testing

/// vfat images built by the real mkfs.vfat and mcopy, read by our reader.
@Suite struct FATVolumeTests {
    static let enabled = ConfigDriveImages.toolsPresent

    @Test(
        .enabled(if: enabled, "needs mkfs.vfat and mtools (scripts/setup.sh installs them)"),
        arguments: [("config-2", 64, false), ("CONFIG-2", 64, false), ("config-2", 300, true)])
    func readsVfatDrives(label: String, megabytes: Int, fat32: Bool) async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-vfat")
        let stage = try ConfigDriveImages.stage(
            in: work, extra: ["openstack/content/a-long-content-file-name.txt": Data("long\n".utf8)])
        let image = work.path + "/drive.vfat"
        try await ConfigDriveImages.vfat(from: stage, to: image, label: label, megabytes: megabytes, fat32: fat32)
        #expect(try VolumeProbe.identify(path: image) == .vfat(label: label))
        let volume = try FATVolume(path: image)
        let meta = try #require(try volume.readFile("openstack/latest/meta_data.json", maxBytes: 1 << 20))
        #expect(meta == FileManager.default.contents(atPath: stage + "/openstack/latest/meta_data.json"))
        #expect(try volume.listDirectory("openstack")?.contains("2018-08-27") == true)
        #expect(
            try volume.readFile("openstack/content/a-long-content-file-name.txt", maxBytes: 100) == Data("long\n".utf8))
        #expect(try volume.readFile("ec2/latest/meta-data.json", maxBytes: 1 << 20) != nil)
        #expect(try volume.readFile("openstack/latest/absent", maxBytes: 10) == nil)
        #expect(throws: VolumeReadError.self) { try volume.readFile("openstack/latest/meta_data.json", maxBytes: 16) }
    }

    @Test(.enabled(if: enabled, "needs mkfs.vfat and mtools")) func aClusterChainLoopIsAnErrorNotAHang() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-vfat")
        let stage = try ConfigDriveImages.stage(
            in: work, extra: ["openstack/content/big.bin": Data(repeating: 7, count: 64 * 1024)])
        let image = work.path + "/loop.vfat"
        try await ConfigDriveImages.vfat(from: stage, to: image)
        let volume = try FATVolume(path: image)
        #expect(try volume.readFile("openstack/content/big.bin", maxBytes: 1 << 20)?.count == 64 * 1024)
        // Point every FAT16 entry from cluster 2 on back at cluster 2: any chain now loops.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image)))
        let reserved = Int(bytes[14]) | Int(bytes[15]) << 8
        let fatStart = reserved * 512
        for cluster in 2..<4000 {
            bytes[fatStart + cluster * 2] = 2
            bytes[fatStart + cluster * 2 + 1] = 0
        }
        try Data(bytes).write(to: URL(fileURLWithPath: image))
        #expect(throws: VolumeReadError.self) {
            try FATVolume(path: image).readFile("openstack/content/big.bin", maxBytes: 1 << 20)
        }
    }
}
