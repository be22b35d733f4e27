import AgentBase
import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// What `status --wait` and `analyze` read: boot progress, the boot history, old state files.
@Suite struct BootStateTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func summary(
        boot: String?, stages: [PluginStage]? = [.local, .network], exitCode: Int32 = 0, plugins: [PluginRecord] = []
    ) -> RunSummary {
        RunSummary(
            instanceID: "i-1", source: "openstack", startedAt: start, finishedAt: start.addingTimeInterval(1),
            exitCode: exitCode, dryRun: false, sourcesTried: [], plugins: plugins,
            stages: stages?.map { StageNote(stage: $0, source: "openstack", note: "", exitCode: exitCode) },
            bootID: boot)
    }

    @Test func aBootIsFinishedOnlyWhenThisBootsNetworkStageRanAndNoRunHoldsTheLock() {
        let this = "boot-b"
        func progress(_ summary: RunSummary?, locked: Bool = false) -> BootProgress {
            BootProgress.of(summary: summary, currentBoot: this, runInProgress: locked)
        }
        #expect(progress(nil).exitCode == AgentExitCode.notFinished)
        #expect(progress(nil).reason == "no run recorded yet")
        #expect(progress(Self.summary(boot: "boot-a")).reason?.contains("earlier boot") == true)
        #expect(progress(Self.summary(boot: this, stages: [.local])).reason?.contains("network stage") == true)
        #expect(progress(Self.summary(boot: this), locked: true).name == "running")
        #expect(progress(Self.summary(boot: this)) == .finished(exitCode: 0))
        #expect(progress(Self.summary(boot: this)).name == "done")
        #expect(progress(Self.summary(boot: this, exitCode: 1)).exitCode == 1)
        #expect(progress(Self.summary(boot: this, exitCode: 2)).name == "failed")
        // A run without --stage records both stages; one with only the network stage is a whole boot too
        // (no config drive: the local stage found nothing and the network stage did everything).
        #expect(progress(Self.summary(boot: this, stages: [.network])).exitCode == 0)
        // No kernel boot id: the summary cannot be checked against the boot and is taken as this one's.
        #expect(BootProgress.of(summary: Self.summary(boot: nil), currentBoot: nil, runInProgress: false).exitCode == 0)
    }

    @Test func theHistoryKeepsOneEntryPerBootAndOnlyTheLastTen() {
        var history = BootHistory()
        history.record(Self.summary(boot: "b0", stages: [.local]))
        history.record(Self.summary(boot: "b0", stages: [.local, .network]))
        #expect(history.boots.count == 1)
        #expect(history.boots[0].stages?.count == 2)
        for index in 1...12 { history.record(Self.summary(boot: "b\(index)")) }
        #expect(history.boots.count == BootHistory.limit)
        #expect(history.boots.map(\.bootID) == (3...12).map { "b\($0)" })
        // Without a boot id every run is a boot of its own.
        history.record(Self.summary(boot: nil))
        history.record(Self.summary(boot: nil))
        #expect(history.boots.suffix(2).allSatisfy { $0.bootID == nil })
    }

    @Test func theStoreWritesTheHistoryBoundedAndCleanForgetsIt() throws {
        let root = try TemporaryDirectory()
        let store = StateStore(root: SystemRoot(root.path), directory: "/var/lib/guest-agent")
        #expect(try store.loadHistory() == nil)
        for index in 0..<15 { try store.recordBoot(Self.summary(boot: "b\(index)")) }
        let history = try #require(try store.loadHistory())
        #expect(history.boots.count == 10)
        #expect(history.boots.last?.bootID == "b14")
        try store.clean()
        #expect(try store.loadHistory() == nil)
    }

    @Test func aCorruptHistoryIsAnErrorNamingTheFile() throws {
        let root = try TemporaryDirectory()
        _ = try root.write("{\"boots\": 3}", to: "var/lib/guest-agent/boots.json")
        let store = StateStore(root: SystemRoot(root.path), directory: "/var/lib/guest-agent")
        #expect {
            try store.loadHistory()
        } throws: {
            "\($0)".contains(root.path + "/var/lib/guest-agent/boots.json")
        }
    }

    /// State written before stage times (and before stages and boot ids) still reads.
    @Test func oldStateFilesStillDecode() throws {
        let oldSummary = """
            {"dryRun":false,"exitCode":0,"finishedAt":"2026-01-01T10:00:02Z","instanceID":"i-old",
             "plugins":[{"at":"2026-01-01T10:00:01Z","durationMs":12,"plugin":"hostname","status":"done"}],
             "source":"openstack","sourcesTried":["openstack: found"],"startedAt":"2026-01-01T10:00:00Z"}
            """
        let summary = try StateStore.decoder.decode(RunSummary.self, from: Data(oldSummary.utf8))
        #expect(summary.stages == nil && summary.bootID == nil && summary.plugins[0].stage == nil)
        let staged = """
            {"dryRun":false,"exitCode":0,"finishedAt":"2026-01-01T10:00:02Z","plugins":[],"sourcesTried":[],
             "startedAt":"2026-01-01T10:00:00Z","bootID":"b",
             "stages":[{"stage":"local","note":"no local source","exitCode":0}]}
            """
        let note = try #require(try StateStore.decoder.decode(RunSummary.self, from: Data(staged.utf8)).stages?.first)
        #expect(note.startedAt == nil && note.durationMs == nil && note.discoveryMs == nil)
        let oldInstance = """
            {"instanceID":"i-old","completedPlugins":{"hostname":"2026-01-01T10:00:01Z"},"pendingPlugins":{},
             "pluginData":{}}
            """
        let state = try StateStore.decoder.decode(InstanceState.self, from: Data(oldInstance.utf8))
        #expect(state.completedPlugins.keys.sorted() == ["hostname"] && state.localStageBoot == nil)
    }

    @Test func aTimedStageNoteRoundTrips() throws {
        let note = StageNote(
            stage: .network, source: "openstack", note: "", exitCode: 0, startedAt: Self.start, durationMs: 1500,
            discoveryMs: 20)
        let encoded = try StateStore.encoder.encode(note)
        #expect(try StateStore.decoder.decode(StageNote.self, from: encoded) == note)
    }

    @Test func theRunLockIsSeenHeldOnlyWhileARunHoldsIt() async throws {
        let root = try TemporaryDirectory()
        let store = StateStore(root: SystemRoot(root.path), directory: "/var/lib/guest-agent")
        #expect(!RunLock.isHeld(store: store))
        #expect(!FileManager.default.fileExists(atPath: root.path + "/var/lib/guest-agent"), "looking creates nothing")
        var lock: RunLock? = try await RunLock.acquire(store: store, timeout: 1)
        #expect(RunLock.isHeld(store: store))
        withExtendedLifetime(lock) {}
        lock = nil
        #expect(!RunLock.isHeld(store: store))
        // Looking does not get in a run's way.
        let again = try await RunLock.acquire(store: store, timeout: 1)
        withExtendedLifetime(again) {}
    }
}
