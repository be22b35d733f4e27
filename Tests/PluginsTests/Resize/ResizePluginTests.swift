import AgentBase
import DataSources
import Foundation
import HostEffects
import Plugins
import TestSupport
import Testing

/// The resize plugin over a fixture kernel view, with a recording runner: which commands
/// run, in which order, and what a failure at each step becomes.
@Suite struct ResizePluginTests {
    static let gib: Int64 = 2_097_152

    /// A root whose "/" is mounted (in the fixture's mountinfo) from vda1, 2 GiB of a
    /// 20 GiB disk, ext4 of 2 GiB; `tools` exist in the root as empty executables.
    static func setUp(tools: [String] = ["growpart", "resize2fs"]) throws -> (TemporaryDirectory, BlockFixtureTree) {
        let root = try PluginTestContext.makeRoot()
        for tool in tools { try root.write("#!/bin/false\n", to: "usr/sbin/\(tool)", mode: 0o755) }
        let tree = try BlockFixtureTree()
        try tree.disk("vda", sectors: 20 * gib)
        let numbers = try tree.partition("vda1", of: "vda", number: 1, start: 2048, sectors: 2 * gib)
        try tree.mount(canonical(root.path), numbers: numbers, type: "ext4", source: "/dev/vda1")
        try tree.extSuperblock("vda1", bytes: 2 * gib * 512)
        return (root, tree)
    }

    /// Answers `failing` commands (by program name) with exit 1 and `stderr`.
    static func runner(failing: [String] = [], stderr: String = "") -> RecordingCommandRunner {
        RecordingCommandRunner { argv in
            failing.contains(argv[0]) ? CommandResult(exitCode: 1, standardError: stderr) : CommandResult(exitCode: 0)
        }
    }

    @Test func dryRunNamesCommandsWithSizesBeforeAndAfter() async throws {
        let (root, tree) = try Self.setUp()
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root)
        let plan = try await ResizePlugin(settings: tree.settings).describedPlan(context)
        let dev = tree.base + "/dev"
        #expect(
            plan
                == .apply([
                    "grow partition 1 of \(dev)/vda (\(dev)/vda1) from 2.0 GiB to about 20.0 GiB: growpart \(dev)/vda 1 (or sfdisk)",
                    "grow ext4 on \(dev)/vda1 mounted at \(canonical(root.path)) from 2.0 GiB to 20.0 GiB: resize2fs \(dev)/vda1",
                ]))
    }

    @Test func grownPartitionWithAFilesystemThatCannotFollowRunsAgainNextBoot() async throws {
        let (root, tree) = try Self.setUp()
        let saved = SavedStateBox()
        let runner = Self.runner(failing: ["resize2fs"], stderr: "resize2fs: Permission denied to resize filesystem\n")
        let context = PluginTestContext.context(
            PluginTestContext.sampleMetadata(), root: root, runner: runner,
            saveState: { saved.value = $0 })
        let plugin = ResizePlugin(settings: tree.settings)
        let outcome = try await plugin.planAndApply(context)
        let dev = tree.base + "/dev"
        #expect(runner.calls.map(\.argv) == [["growpart", "\(dev)/vda", "1"], ["resize2fs", "\(dev)/vda1"]])
        guard case .runAgainNextBoot(let message) = outcome else {
            Issue.record("expected run-again, got \(outcome)")
            return
        }
        #expect(message.contains("partition \(dev)/vda1 grown, but resize2fs exited with status 1"))
        #expect(message.contains("Permission denied to resize filesystem"))
        #expect(saved.value != nil)

        // Next boot: the partition now fills the disk, the filesystem is still small, and
        // only the filesystem step runs; once it succeeds the pending mark is cleared.
        try tree.directory.write("\(20 * Self.gib - 2048 - 34)\n", to: "sys/devices/pci0000:00/block/vda/vda1/size")
        let next = Self.runner()
        let nextContext = PluginTestContext.context(
            PluginTestContext.sampleMetadata(), root: root, runner: next,
            savedState: saved.value, saveState: { saved.value = $0 })
        #expect(try await plugin.planAndApply(nextContext) == .done)
        #expect(next.calls.map(\.argv) == [["resize2fs", "\(dev)/vda1"]])
        struct Pending: Decodable { var pending: [String: String] }
        #expect(try saved.value?.decode(as: Pending.self).pending.isEmpty == true)
    }

    @Test func failedPartitionStepNamesToolStatusAndStderr() async throws {
        let (root, tree) = try Self.setUp()
        let runner = Self.runner(failing: ["growpart"], stderr: "FAILED: disk is busy\n")
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)
        await #expect {
            _ = try await ResizePlugin(settings: tree.settings).planAndApply(context)
        } throws: { error in
            "\(error)".contains("growpart exited with status 1") && "\(error)".contains("FAILED: disk is busy")
        }
        #expect(runner.calls.count == 1)
    }

    @Test func withoutGrowpartSfdiskMovesTheGPTBackupThenGrowsAndTellsTheKernel() async throws {
        let (root, tree) = try Self.setUp(tools: ["sfdisk", "partx", "resize2fs"])
        let runner = RecordingCommandRunner { argv in
            argv.count == 3 && argv[0] == "sfdisk" && argv[1] == "--dump"
                ? CommandResult(exitCode: 0, standardOutput: "label: gpt\nlabel-id: X\n") : CommandResult(exitCode: 0)
        }
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)
        #expect(try await ResizePlugin(settings: tree.settings).planAndApply(context) == .done)
        let disk = tree.base + "/dev/vda"
        #expect(
            runner.calls.map(\.argv) == [
                ["sfdisk", "--dump", disk],
                ["sfdisk", "--no-reread", "--relocate", "gpt-bak-std", disk],
                ["sfdisk", "--no-reread", "--no-tell-kernel", "-N", "1", disk],
                ["partx", "-u", "--nr", "1", disk],
                ["resize2fs", tree.base + "/dev/vda1"],
            ])
        #expect(runner.calls[2].standardInput == Data(", +\n".utf8))
    }

    @Test func settledDiskIsSkippedWithoutRunningAnything() async throws {
        let (root, tree) = try Self.setUp()
        try tree.directory.write("\(20 * Self.gib - 2048 - 34)\n", to: "sys/devices/pci0000:00/block/vda/vda1/size")
        try tree.extSuperblock("vda1", bytes: (20 * Self.gib - 2048 - 34) * 512)
        let runner = Self.runner()
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)
        let plugin = ResizePlugin(settings: tree.settings)
        guard case .skip(let reason) = try await plugin.describedPlan(context) else {
            Issue.record("expected a skip")
            return
        }
        #expect(reason.contains("nothing to grow"))
        #expect(try await plugin.planAndApply(context) == .done)
        #expect(runner.calls.isEmpty)
    }

    @Test func aScratchRootThatIsNotAMountPointIsNeverResized() async throws {
        let root = try PluginTestContext.makeRoot()
        let runner = Self.runner()
        // The live kernel view: the scratch directory lies on this machine's root
        // filesystem, which must never be taken for it.
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)
        #expect(
            try await ResizePlugin().describedPlan(context) == .skip("\(canonical(root.path)) is not a mount point"))
        #expect(try await ResizePlugin().planAndApply(context) == .done)
        #expect(runner.calls.isEmpty)
    }
}

/// A path as mountinfo spells it (`/tmp//x` from NSTemporaryDirectory is `/tmp/x` there).
func canonical(_ path: String) -> String {
    URL(fileURLWithPath: path).resolvingSymlinksInPath().path
}

/// Collects what a plugin saves, as the pipeline's state file would.
final class SavedStateBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: JSONValue?
    var value: JSONValue? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
