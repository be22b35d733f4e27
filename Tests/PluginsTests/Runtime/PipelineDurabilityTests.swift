import AgentBase
import DataSources
import Foundation
import HostEffects
import Plugins
import TestSupport
import Testing

/// A plugin that writes one file with its context's writer, optionally saves progress, and
/// notes how many directory syncs were waiting at each point (issue 31: durability per step).
final class SyncObservingPlugin: Plugin, @unchecked Sendable {
    let id: String
    let frequency = PluginFrequency.perInstance
    let stage = PluginStage.network
    let file: String
    let savesProgress: Bool
    private let lock = NSLock()
    private var observed: [String: Int] = [:]

    init(_ id: String, file: String, savesProgress: Bool = false) {
        self.id = id
        self.file = file
        self.savesProgress = savesProgress
    }

    /// Pending directory syncs seen `at` a point ("start", "written", "saved").
    func pending(at point: String) -> Int? { lock.withLock { observed[point] } }

    private func note(_ point: String, _ context: PluginContext) {
        let count = context.writer.pendingDirectorySyncs?.count ?? -1
        lock.withLock { observed[point] = count }
    }

    func plan(_ context: PluginContext) async throws -> PlanDecision<DescribedChanges> {
        .apply(DescribedChanges(["write \(file)"]))
    }

    func apply(_ plan: DescribedChanges, _ context: PluginContext) async throws -> PluginOutcome {
        note("start", context)
        try context.writer.write(Data("from \(id)\n".utf8), to: file)
        note("written", context)
        if savesProgress {
            try context.saveState(["step": "one"] as [String: String])
            note("saved", context)
        }
        return .done
    }
}

@Suite struct PipelineDurabilityTests {
    func run(_ plugins: [any Plugin], root: TemporaryDirectory) async -> [PluginRecord] {
        let store = StateStore(root: SystemRoot(root.path), directory: "/var/lib/guest-agent")
        let runner = PipelineRunner(plugins: plugins, store: store, dryRun: false, logger: LogCapture().logger())
        return await runner.run(
            makeContext: { metadata, saved, save in
                PluginTestContext.context(metadata, root: root, savedState: saved, saveState: save)
            }, metadata: PluginTestContext.sampleMetadata(instanceID: "i-1"))
    }

    /// A plugin's rename waits for the end of its step, and the step syncs it before the
    /// next one starts (so before the state records the step as done).
    @Test func aStepsRenamesAreSyncedWhenTheStepEnds() async throws {
        let root = try PluginTestContext.makeRoot()
        let first = SyncObservingPlugin("first", file: "/etc/first.conf")
        let second = SyncObservingPlugin("second", file: "/etc/second.conf")
        #expect(await run([first, second], root: root).map(\.status) == [.done, .done])
        #expect(first.pending(at: "start") == 0)
        #expect(first.pending(at: "written") == 1)
        #expect(second.pending(at: "start") == 0)
        #expect(second.pending(at: "written") == 1)
        #expect(root.read("etc/first.conf") == "from first\n")
        #expect(root.read("etc/second.conf") == "from second\n")
    }

    /// Progress a plugin saves never gets ahead of the files it wrote before saving it.
    @Test func savingProgressSyncsTheStepsRenamesFirst() async throws {
        let root = try PluginTestContext.makeRoot()
        let plugin = SyncObservingPlugin("progress", file: "/etc/progress.conf", savesProgress: true)
        #expect(await run([plugin], root: root).map(\.status) == [.done])
        #expect(plugin.pending(at: "written") == 1)
        #expect(plugin.pending(at: "saved") == 0)
        #expect(root.read("var/lib/guest-agent/instances/i-1.json")?.contains("\"step\"") == true)
    }

    /// A writer made without pending syncs (the state store, `clean`) has none to defer to;
    /// one that defers notes each directory once, however many renames it holds.
    @Test func aDeferringWriterNotesEachDirectoryOnce() throws {
        let root = try PluginTestContext.makeRoot()
        let writer = AtomicFileWriter(root: SystemRoot(root.path))
        #expect(writer.pendingDirectorySyncs == nil)
        let pending = PendingDirectorySyncs()
        let deferring = AtomicFileWriter(root: SystemRoot(root.path), pendingDirectorySyncs: pending)
        try deferring.write(Data("a\n".utf8), to: "/etc/a")
        try deferring.write(Data("b\n".utf8), to: "/etc/b")
        try deferring.makeSymbolicLink(at: "/etc/c", pointingTo: "/etc/a")
        #expect(pending.count == 1, "one directory, however many renames in it")
        pending.flush()
        #expect(pending.count == 0)
    }

    /// A step that changes nothing in the state (a failure) writes no state file.
    @Test func aStepThatChangesNothingWritesNoState() async throws {
        let root = try PluginTestContext.makeRoot()
        let failing = ScriptedPlugin("failing") { _ in throw Boom() }
        #expect(await run([failing], root: root).map(\.status) == [.failed])
        #expect(root.read("var/lib/guest-agent/instances/i-1.json") == nil)
        let succeeding = ScriptedPlugin("succeeding")
        #expect(await run([succeeding], root: root).map(\.status) == [.done])
        #expect(root.read("var/lib/guest-agent/instances/i-1.json")?.contains("succeeding") == true)
    }
}
