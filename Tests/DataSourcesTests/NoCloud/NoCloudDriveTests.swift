import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// Drives built by the real tools the platforms use, read without mounting: cloud-localds
/// (vfat and ISO) and Proxmox VE's genisoimage command, as image files named in
/// `nocloud_paths` and as loop devices found by their label in a device scan.
@Suite(.serialized, .enabled(if: NoCloudSeeds.toolsPresent, "needs cloud-localds, genisoimage, mkfs.vfat and mtools"))
struct NoCloudDriveTests {
    static func build(_ kind: String, stage: String, to image: String) async throws {
        switch kind {
        case "proxmox": try await NoCloudSeeds.proxmoxISO(from: stage, to: image)
        default: try await NoCloudSeeds.cloudLocalds(from: stage, to: image, filesystem: kind)
        }
    }

    @Test(arguments: ["vfat", "iso", "proxmox"])
    func anImageFileIsReadWithEveryFile(kind: String) async throws {
        let work = try TemporaryDirectory()
        let stage = try NoCloudSeeds.stage(
            in: work, extra: ["vendor-data": "#cloud-config\npackages: [htop]\n"])
        let image = work.path + "/seed.img"
        try await Self.build(kind, stage: stage, to: image)
        let source = NoCloudSource(root: .live, configuredPaths: [image])
        let metadata = try #require(try await source.load())
        #expect(metadata.instanceID == "iid-nocloud-demo-0001")
        #expect(metadata.hostname == "nocloud-demo")
        #expect(metadata.publicKeys.count == 1)
        #expect(metadata.userData == (try Data(contentsOf: URL(fileURLWithPath: stage + "/user-data"))))
        #expect(metadata.vendorUserData == Data("#cloud-config\npackages: [htop]\n".utf8))
        #expect(metadata.sourceLocation == image)
    }

    /// udev's /dev/disk/by-label/cidata link inside a prepared root (`--root`), with nothing in
    /// the root's /sys/class/block to scan: the link alone finds the drive, and an absolute
    /// link target is read inside the root, never on the host.
    @Test(arguments: ["relative", "absolute"])
    func theByLabelLinkInsideARootFindsTheDrive(link: String) async throws {
        let work = try TemporaryDirectory()
        let stage = try NoCloudSeeds.stage(in: work, extra: ["meta-data": "instance-id: iid-by-label\n"])
        let root = try TemporaryDirectory()
        try FileManager.default.createDirectory(
            atPath: root.path + "/dev/disk/by-label", withIntermediateDirectories: true)
        try await Self.build("vfat", stage: stage, to: root.path + "/dev/vdz")
        try FileManager.default.createSymbolicLink(
            atPath: root.path + "/dev/disk/by-label/cidata",
            withDestinationPath: link == "relative" ? "../../vdz" : "/dev/vdz")
        let metadata = try #require(try await NoCloudSource(root: SystemRoot(root.path), configuredPaths: []).load())
        #expect(metadata.instanceID == "iid-by-label")
        #expect(metadata.sourceLocation == "/dev/vdz")
    }

    @Test func aDriveWithAnotherLabelIsNotASeed() async throws {
        let work = try TemporaryDirectory()
        let stage = try NoCloudSeeds.stage(in: work)
        let image = work.path + "/other.iso"
        try ConfigDriveImages.check(
            await Program.tool("genisoimage", ["-quiet", "-o", image, "-J", "-R", "-V", "config-2", stage]),
            "genisoimage")
        #expect(try await NoCloudSource(root: .live, configuredPaths: [image]).load() == nil)
    }

    @Test(
        .enabled(if: getuid() == 0, "needs root for losetup"), arguments: ["vfat", "proxmox"])
    func aLoopDeviceIsFoundByItsLabelWithoutConfiguration(kind: String) async throws {
        let work = try TemporaryDirectory()
        let stage = try NoCloudSeeds.stage(
            in: work, extra: ["meta-data": "instance-id: iid-loop-\(kind)\nlocal-hostname: loop\n"])
        let image = work.path + "/seed.img"
        try await Self.build(kind, stage: stage, to: image)
        let attach = try await Program.tool("losetup", ["--find", "--show", "--read-only", image])
        try #require(attach.status == 0, "\(attach.standardError)")
        let device = attach.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { Program.cleanUp("losetup", ["--detach", device]) }
        // No configured paths: the scan of /sys/class/block finds it by its label.
        let metadata = try #require(try await NoCloudSource(root: .live, configuredPaths: []).load())
        #expect(metadata.instanceID == "iid-loop-\(kind)")
        #expect(metadata.sourceLocation == device)
    }
}
