import Foundation
import TestSupport
import Testing

@testable import Plugins

/// Detection on fixture mountinfo and sysfs trees, one per device naming scheme and skip
/// reason. No root, no devices: only files shaped like the kernel's.
@Suite struct ResizeDetectionTests {
    static let gib: Int64 = 2_097_152  // sectors

    /// A disk of 20 GiB with partition 1 of 2 GiB at sector 2048 holding `type` at `/`.
    static func partitioned(disk: String, partition: String, type: String, anonymous: Bool = false) throws
        -> BlockFixtureTree
    {
        let tree = try BlockFixtureTree()
        try tree.disk(disk, sectors: 20 * gib)
        let numbers = try tree.partition(partition, of: disk, number: 1, start: 2048, sectors: 2 * gib)
        try tree.mount("/", numbers: anonymous ? "0:33" : numbers, type: type, source: "/dev/\(partition)")
        return tree
    }

    static func detect(_ tree: BlockFixtureTree, _ mountPoint: String = "/") throws -> ResizeDecision {
        let detector = ResizeDetector(settings: tree.settings)
        return detector.detect(mountPoint: mountPoint, entries: try detector.mountEntries())
    }

    struct NamingCase: Sendable, CustomTestStringConvertible {
        var disk: String
        var partition: String
        var type: String
        var anonymous = false
        var expected: [String]
        var testDescription: String { "\(partition) (\(type))" }
    }

    @Test(arguments: [
        NamingCase(
            disk: "vda", partition: "vda1", type: "ext4", expected: ["growpart /dev/vda 1", "resize2fs /dev/vda1"]),
        NamingCase(disk: "sda", partition: "sda1", type: "xfs", expected: ["growpart /dev/sda 1", "xfs_growfs /"]),
        NamingCase(
            disk: "nvme0n1", partition: "nvme0n1p1", type: "ext4",
            expected: ["growpart /dev/nvme0n1 1", "resize2fs /dev/nvme0n1p1"]),
        // btrfs mounts report an anonymous 0:N device: found through the mount source.
        NamingCase(
            disk: "xvda", partition: "xvda1", type: "btrfs", anonymous: true,
            expected: ["growpart /dev/xvda 1", "btrfs filesystem resize max /"]),
    ])
    func eachNamingScheme(_ item: NamingCase) throws {
        let tree = try Self.partitioned(
            disk: item.disk, partition: item.partition, type: item.type, anonymous: item.anonymous)
        guard case .target(let target) = try Self.detect(tree) else {
            Issue.record("expected a target")
            return
        }
        let dev = tree.base + "/dev"
        #expect(target.partition?.disk == "\(dev)/\(item.disk)")
        #expect(target.partition?.device == "\(dev)/\(item.partition)")
        #expect(target.partition?.number == 1)
        #expect(target.partition?.gainBytes == (18 * Self.gib - 2048) * 512)
        let commands = ResizeStep.plan(for: target, pending: false).map { Self.command($0, dev: dev) }
        #expect(commands == item.expected)
    }

    /// argv of a step as text, with the fixture's device directory shown as /dev.
    static func command(_ step: ResizeStep, dev: String) -> String {
        return step.argv.joined(separator: " ").replacingOccurrences(of: dev, with: "/dev")
    }

    @Test func lvmRootGrowsPartitionThenPhysicalThenLogicalVolume() throws {
        let tree = try BlockFixtureTree()
        try tree.disk("vda", sectors: 20 * Self.gib)
        try tree.partition("vda1", of: "vda", number: 1, start: 2048, sectors: 2048)
        try tree.partition("vda2", of: "vda", number: 2, start: 4096, sectors: 2 * Self.gib)
        let numbers = try tree.deviceMapper(
            "dm-0", mapperName: "vg0-root", uuid: "LVM-abcdef", sectors: 2 * Self.gib - 8192, slaves: ["vda2"])
        try tree.mount("/", numbers: numbers, type: "ext4", source: "/dev/mapper/vg0-root")
        guard case .target(let target) = try Self.detect(tree) else {
            Issue.record("expected a target")
            return
        }
        #expect(target.lvm?.logicalVolume == tree.base + "/dev/mapper/vg0-root")
        #expect(target.lvm?.physicalVolume == tree.base + "/dev/vda2")
        #expect(
            ResizeStep.plan(for: target, pending: false).map { Self.command($0, dev: tree.base + "/dev") } == [
                "growpart /dev/vda 2", "pvresize /dev/vda2", "lvextend -r -l +100%FREE /dev/mapper/vg0-root",
            ])
    }

    @Test func wholeDiskFilesystemSkipsThePartitionStep() throws {
        let tree = try BlockFixtureTree()
        let numbers = try tree.disk("vdb", sectors: 4 * Self.gib)
        try tree.mount("/", numbers: numbers, type: "ext4", source: "/dev/vdb")
        try tree.extSuperblock("vdb", bytes: 1 * Self.gib * 512)
        guard case .target(let target) = try Self.detect(tree) else {
            Issue.record("expected a target")
            return
        }
        #expect(target.partition == nil)
        #expect(
            ResizeStep.plan(for: target, pending: false).map { Self.command($0, dev: tree.base + "/dev") } == [
                "resize2fs /dev/vdb"
            ])

        // The filesystem already fills the disk: nothing at all.
        try tree.extSuperblock("vdb", bytes: 4 * Self.gib * 512)
        guard case .target(let full) = try Self.detect(tree) else {
            Issue.record("expected a target")
            return
        }
        #expect(ResizeStep.plan(for: full, pending: false).isEmpty)
    }

    @Test func lessThanOneMiBToGainIsNothingToDo() throws {
        let tree = try BlockFixtureTree()
        try tree.disk("vda", sectors: 2 * Self.gib + 2048 + 2047)
        let numbers = try tree.partition("vda1", of: "vda", number: 1, start: 2048, sectors: 2 * Self.gib)
        try tree.mount("/", numbers: numbers, type: "ext4", source: "/dev/vda1")
        try tree.extSuperblock("vda1", bytes: 2 * Self.gib * 512)
        guard case .target(let target) = try Self.detect(tree) else {
            Issue.record("expected a target")
            return
        }
        #expect(target.partition?.gainBytes == Int64(2047 * 512))
        #expect(ResizeStep.plan(for: target, pending: false).isEmpty)
    }

    @Test func aFollowingPartitionLimitsTheGrowth() throws {
        let tree = try BlockFixtureTree()
        try tree.disk("vda", sectors: 20 * Self.gib)
        let numbers = try tree.partition("vda1", of: "vda", number: 1, start: 2048, sectors: 2 * Self.gib)
        try tree.partition("vda2", of: "vda", number: 2, start: 4 * Self.gib, sectors: Self.gib)
        try tree.mount("/", numbers: numbers, type: "ext4", source: "/dev/vda1")
        guard case .target(let target) = try Self.detect(tree) else {
            Issue.record("expected a target")
            return
        }
        #expect(target.partition?.limitSector == 4 * Self.gib)
    }

    struct SkipCase: Sendable, CustomTestStringConvertible {
        var name: String
        var type: String
        var source = "/dev/vda1"
        var options = "rw,relatime"
        var mountPoint = "/"
        var reason: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        SkipCase(name: "read-only", type: "ext4", options: "ro,relatime", reason: "/ is mounted read-only"),
        SkipCase(
            name: "nfs", type: "nfs4", source: "server:/export",
            reason: "/ is a network filesystem (nfs4 from server:/export)"),
        SkipCase(
            name: "cifs", type: "cifs", source: "//server/share",
            reason: "/ is a network filesystem (cifs from //server/share)"),
        SkipCase(
            name: "overlay", type: "overlay", source: "overlay",
            reason: "/ is an overlay (overlay): no disk underneath to grow"),
        SkipCase(name: "vfat", type: "vfat", reason: "/ is vfat, which the agent does not grow (ext2/3/4, xfs, btrfs)"),
        SkipCase(name: "not mounted", type: "ext4", mountPoint: "/srv", reason: "/ is not a mount point"),
    ])
    func skipsWithAStatedReason(_ item: SkipCase) throws {
        let tree = try BlockFixtureTree()
        try tree.disk("vda", sectors: 20 * Self.gib)
        let numbers = try tree.partition("vda1", of: "vda", number: 1, start: 2048, sectors: 2 * Self.gib)
        try tree.mount(item.mountPoint, numbers: numbers, type: item.type, source: item.source, options: item.options)
        #expect(try Self.detect(tree) == .skip(mountPoint: "/", reason: item.reason))
    }

    @Test func deviceMapperThatIsNotLVMIsSkipped() throws {
        let tree = try BlockFixtureTree()
        try tree.disk("vda", sectors: 20 * Self.gib)
        try tree.partition("vda1", of: "vda", number: 1, start: 2048, sectors: 2 * Self.gib)
        let numbers = try tree.deviceMapper(
            "dm-0", mapperName: "cryptroot", uuid: "CRYPT-LUKS2-1234", sectors: 2 * Self.gib, slaves: ["vda1"])
        try tree.mount("/", numbers: numbers, type: "ext4", source: "/dev/mapper/cryptroot")
        #expect(
            try Self.detect(tree)
                == .skip(
                    mountPoint: "/",
                    reason: "/ is on device-mapper device cryptroot, which is not an LVM logical volume"))
    }

    @Test func mountinfoEscapesAreDecoded() {
        let entries = MountInfo.parse("40 1 8:1 / /mnt/with\\040space rw master:3 - ext4 /dev/sda1 rw\nnonsense line\n")
        #expect(entries.count == 1)
        #expect(entries.first?.mountPoint == "/mnt/with space")
        #expect(entries.first?.major == 8 && entries.first?.minor == 1)
    }
}
