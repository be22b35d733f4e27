import AgentBase
import DataSources
import Foundation
import HostEffects
import Plugins
import TestSupport
import Testing

/// The resize plugin on real disk images attached to loop devices, with the real tools
/// (growpart or sfdisk + partx, resize2fs, xfs_growfs, LVM). Root only; nothing but the
/// images and loop devices these tests create is touched.
@Suite(.serialized) struct ResizeRealImageTests {
    static let enabled = LoopDiskImage.available && Program.which("resize2fs") != nil
    static let mib: Int64 = 1 << 20

    /// A scratch root with the host's `tools` linked into its /usr/sbin (the agent finds
    /// tools in its target root).
    static func toolsRoot(_ tools: [String], at path: String? = nil) throws -> (SystemRoot, TemporaryDirectory?) {
        if let path {
            for tool in tools {
                try FileManager.default.createDirectory(atPath: path + "/usr/sbin", withIntermediateDirectories: true)
                if let host = Program.which(tool) {
                    try FileManager.default.createSymbolicLink(
                        atPath: path + "/usr/sbin/" + tool, withDestinationPath: host)
                }
            }
            return (SystemRoot(path), nil)
        }
        let root = try TemporaryDirectory(prefix: "guest-agent-root")
        try UsersRealToolsRoot.linkHostTools(tools, into: root)
        return (SystemRoot(root.path), root)
    }

    static func context(root: SystemRoot, savedState: JSONValue? = nil, saved: SavedStateBox? = nil) -> PluginContext {
        PluginContext(
            metadata: PluginTestContext.sampleMetadata(), config: AgentConfig(), root: root,
            runner: SubprocessCommandRunner(tools: ToolLocator(root: root)),
            http: MetadataHTTPClient(policy: RetryPolicy(retries: 0, baseInterval: 0.05, requestTimeout: 1)),
            logger: LogCapture().logger(), savedState: savedState, saveState: { saved?.value = $0 })
    }

    /// Size of the ext filesystem on `device` from `dumpe2fs -h`.
    static func extBytes(_ device: String) async throws -> Int64 {
        let header = try await LoopDiskImage.tool("dumpe2fs", ["-h", device])
        func field(_ name: String) -> Int64 {
            header.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { Int64($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) } ?? -1
        }
        return field("Block count") * field("Block size")
    }

    struct Layout: Sendable, CustomTestStringConvertible {
        var label: LoopDiskImage.Label
        var partitionTool: [String]
        var testDescription: String { "\(label.rawValue) with \(partitionTool[0])" }
    }

    /// The filesystem unmounted (this machine refuses the online ext4 resize ioctl): a
    /// mountinfo naming the loop partition as the root's filesystem points the plugin at it.
    @Test(
        .enabled(
            if: enabled && Program.which("growpart") != nil,
            "needs root, loop devices, growpart, sfdisk, resize2fs: skipped (CI runs as root)"),
        arguments: [
            Layout(label: .dos, partitionTool: ["growpart"]), Layout(label: .gpt, partitionTool: ["growpart"]),
            Layout(label: .dos, partitionTool: ["sfdisk", "partx"]),
            Layout(label: .gpt, partitionTool: ["sfdisk", "partx"]),
        ])
    func ext4PartitionAndFilesystemGrowUnmounted(_ layout: Layout) async throws {
        let disk = try await LoopDiskImage(label: layout.label, partitionMiB: 64, diskMiB: 192)
        defer { disk.detach() }
        try await LoopDiskImage.tool("mkfs.ext4", ["-q", "-F", disk.partition])
        let (root, scratch) = try Self.toolsRoot(layout.partitionTool + ["resize2fs"])
        defer { withExtendedLifetime(scratch) {} }
        let mountInfo = try TemporaryDirectory()
        let line =
            "40 1 \(LoopDiskImage.numbers(disk.deviceName + "p1")) / \(canonical(root.hostPath)) rw,relatime - ext4 \(disk.partition) rw\n"
        let settings = ResizeSettings(
            mountInfoPath: try mountInfo.write(line, to: "mountinfo"), sysfsPath: "/sys", deviceDirectory: "/dev")
        let plugin = ResizePlugin(settings: settings)
        #expect(try await Self.extBytes(disk.partition) == 64 * Self.mib)

        guard case .apply(let changes) = try await plugin.describedPlan(Self.context(root: root)) else {
            Issue.record("expected a plan")
            return
        }
        #expect(changes.count == 2)
        #expect(try await plugin.planAndApply(Self.context(root: root)) == .done)

        // The partition reaches the disk's end (GPT keeps its 33-sector backup table there).
        let grown = try await LoopDiskImage.size(disk.partition)
        let expected = 192 * Self.mib - 2048 * 512 - (layout.label == .gpt ? 33 * 512 : 0)
        #expect(grown <= expected && grown > expected - Self.mib)
        #expect(try await LoopDiskImage.size(disk.device) == 192 * Self.mib)
        // The filesystem follows it, to within one 4 KiB block.
        #expect(try await Self.extBytes(disk.partition) > grown - 4096)

        // A second run changes nothing.
        guard case .skip(let reason) = try await plugin.describedPlan(Self.context(root: root)) else {
            Issue.record("expected nothing to do")
            return
        }
        #expect(reason.contains("nothing to grow"))
        #expect(try await plugin.planAndApply(Self.context(root: root)) == .done)
        #expect(try await LoopDiskImage.size(disk.partition) == grown)
    }

    /// Mounted ext4: the partition grows; where the kernel refuses the online resize (this
    /// machine: "Permission denied") the plugin says so and retries the filesystem next boot.
    @Test(
        .enabled(
            if: enabled && Program.which("growpart") != nil, "needs root, loop devices, growpart, resize2fs: skipped"))
    func mountedExt4GrowsOrReportsTheRefusalAndRetries() async throws {
        let disk = try await LoopDiskImage(label: .gpt, partitionMiB: 64, diskMiB: 192)
        defer { disk.detach() }
        try await LoopDiskImage.tool("mkfs.ext4", ["-q", "-F", disk.partition])
        let mountPoint = try await disk.mount(disk.partition)
        let (root, _) = try Self.toolsRoot(["growpart", "resize2fs"], at: mountPoint)
        let plugin = ResizePlugin()  // the live kernel view: the real mountinfo names the mount
        let saved = SavedStateBox()
        let outcome = try await plugin.planAndApply(Self.context(root: root, saved: saved))
        let grown = try await LoopDiskImage.size(disk.partition)
        #expect(grown > 190 * Self.mib)
        switch outcome {
        case .done:
            #expect(try await Self.extBytes(disk.partition) > grown - 4096)
        case .runAgainNextBoot(let message):
            #expect(message.contains("partition \(disk.partition) grown, but resize2fs exited with status"))
            #expect(message.contains("the next boot tries again"))
            #expect(try await Self.extBytes(disk.partition) == 64 * Self.mib)
            // Next boot: only the filesystem step is left, and it is tried again.
            guard
                case .apply(let changes) = try await plugin.describedPlan(
                    Self.context(root: root, savedState: saved.value))
            else {
                Issue.record("expected the filesystem step again")
                return
            }
            #expect(changes.count == 1 && changes[0].contains("resize2fs \(disk.partition)"))
            #expect(try await LoopDiskImage.size(disk.partition) == grown)
        default:
            Issue.record("unexpected outcome \(outcome)")
        }
    }

    @Test(
        .enabled(
            if: enabled && Program.which("growpart") != nil && Program.which("xfs_growfs") != nil,
            "needs root, loop devices, growpart, xfs_growfs (xfsprogs): skipped"))
    func mountedXfsGrows() async throws {
        let disk = try await LoopDiskImage(label: .dos, partitionMiB: 320, diskMiB: 640)
        defer { disk.detach() }
        try await LoopDiskImage.tool("mkfs.xfs", ["-q", "-f", disk.partition])
        let mountPoint = try await disk.mount(disk.partition)
        let (root, _) = try Self.toolsRoot(["growpart", "xfs_growfs"], at: mountPoint)
        let plugin = ResizePlugin()
        let saved = SavedStateBox()
        #expect(try await plugin.planAndApply(Self.context(root: root, saved: saved)) == .done)
        let grown = try await LoopDiskImage.size(disk.partition)
        #expect(grown > 630 * Self.mib)
        // xfs_info: "data     =   bsize=4096   blocks=N, imaxpct=25"
        let info = try await LoopDiskImage.tool("xfs_info", [mountPoint])
        let dataLine = info.split(separator: "\n").first { $0.hasPrefix("data") } ?? ""
        let numbers = dataLine.split(whereSeparator: { " =,".contains($0) })
        let blockSize = numbers.first { $0.hasPrefix("bsize") }.map { _ in
            numbers[numbers.firstIndex { $0.hasPrefix("bsize") }! + 1]
        }
        let blocks = numbers.firstIndex { $0.hasPrefix("blocks") }.map { numbers[$0 + 1] }
        let size = (Int64(blocks.map(String.init) ?? "") ?? 0) * (Int64(blockSize.map(String.init) ?? "") ?? 0)
        #expect(size > grown - 4096 * 16 && size <= grown)
        // A second run (with the state the pipeline keeps) changes nothing.
        guard case .skip = try await plugin.describedPlan(Self.context(root: root, savedState: saved.value)) else {
            Issue.record("expected nothing to do")
            return
        }
    }

    @Test(
        .enabled(
            if: enabled && Program.which("growpart") != nil && Program.which("btrfs") != nil
                && Self.kernelHas("btrfs"),
            "needs root, loop devices, growpart, btrfs (btrfs-progs) and btrfs in the kernel: skipped"))
    func mountedBtrfsGrows() async throws {
        let disk = try await LoopDiskImage(label: .gpt, partitionMiB: 256, diskMiB: 640)
        defer { disk.detach() }
        try await LoopDiskImage.tool("mkfs.btrfs", ["-q", "-f", disk.partition])
        let mountPoint = try await disk.mount(disk.partition)
        let (root, _) = try Self.toolsRoot(["growpart", "btrfs"], at: mountPoint)
        #expect(try await Self.btrfsBytes(mountPoint) < 260 * Self.mib)
        let plugin = ResizePlugin()
        let saved = SavedStateBox()
        #expect(try await plugin.planAndApply(Self.context(root: root, saved: saved)) == .done)
        let grown = try await LoopDiskImage.size(disk.partition)
        #expect(grown > 630 * Self.mib)
        let filesystem = try await Self.btrfsBytes(mountPoint)
        #expect(filesystem > grown - 4096 * 16 && filesystem <= grown, "btrfs: \(filesystem), partition: \(grown)")
        guard case .skip = try await plugin.describedPlan(Self.context(root: root, savedState: saved.value)) else {
            Issue.record("expected nothing to do")
            return
        }
    }

    /// The size btrfs gives its one device: `btrfs filesystem show --raw` prints
    /// "devid    1 size N used M path /dev/...".
    static func btrfsBytes(_ mountPoint: String) async throws -> Int64 {
        let show = try await LoopDiskImage.tool("btrfs", ["filesystem", "show", "--raw", mountPoint])
        let words = show.split(whereSeparator: \.isWhitespace)
        guard let index = words.firstIndex(of: "size"), index + 1 < words.count, let bytes = Int64(words[index + 1])
        else { return -1 }
        return bytes
    }

    /// Whether the running kernel lists `filesystem` in /proc/filesystems.
    static func kernelHas(_ filesystem: String) -> Bool {
        let known = (try? String(contentsOfFile: "/proc/filesystems", encoding: .utf8)) ?? ""
        return known.split(separator: "\n").contains { $0.split(separator: "\t").last == Substring(filesystem) }
    }

    @Test(
        .enabled(
            if: enabled && LoopDiskImage.deviceMapperAvailable && Program.which("growpart") != nil
                && Program.which("lvextend") != nil,
            "needs root, loop devices, growpart, lvm2 and device-mapper in the kernel: skipped (this kernel has no device-mapper)"
        ))
    func mountedLVMRootGrowsPartitionPhysicalAndLogicalVolume() async throws {
        let disk = try await LoopDiskImage(label: .gpt, partitionMiB: 96, diskMiB: 256, lvm: true)
        defer { disk.detach() }
        let group = "gatest\(getpid())"
        try await LoopDiskImage.tool("pvcreate", ["-q", disk.partition])
        try await LoopDiskImage.tool("vgcreate", ["-q", group, disk.partition])
        disk.ownVolumeGroup(group)
        try await LoopDiskImage.tool("lvcreate", ["-q", "-y", "-l", "100%FREE", "-n", "root", group])
        let volume = "/dev/mapper/\(group)-root"
        try await LoopDiskImage.tool("mkfs.ext4", ["-q", "-F", volume])
        let before = try await LoopDiskImage.size(volume)
        let mountPoint = try await disk.mount(volume)
        let (root, _) = try Self.toolsRoot(
            ["growpart", "pvresize", "lvextend", "lvm", "fsadm", "resize2fs"], at: mountPoint)
        let outcome = try await ResizePlugin().planAndApply(Self.context(root: root))
        #expect(try await LoopDiskImage.size(disk.partition) > 250 * Self.mib)
        #expect(try await LoopDiskImage.size(volume) > before + 100 * Self.mib)
        if case .runAgainNextBoot(let message) = outcome {
            // lvextend -r's filesystem step meets the same online-resize refusal as ext4 above.
            #expect(message.contains("lvextend"))
        } else {
            #expect(outcome == .done)
            #expect(try await Self.extBytes(volume) > (try await LoopDiskImage.size(volume)) - 4096)
        }
    }
}
