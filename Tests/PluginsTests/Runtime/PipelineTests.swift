import AgentBase
import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// A test plugin's plan: only its lines.
struct DescribedChanges: PlannedChanges {
    var changes: [String]
    init(_ changes: [String]) { self.changes = changes }
}

/// A plugin whose behaviour the test scripts, counting its applies.
final class ScriptedPlugin: Plugin, @unchecked Sendable {
    let id: String
    let frequency: PluginFrequency
    let stage: PluginStage
    let outcome: @Sendable (Int) throws -> PluginOutcome
    private let lock = NSLock()
    private var count = 0
    var applies: Int { lock.withLock { count } }

    init(
        _ id: String, frequency: PluginFrequency = .perInstance, stage: PluginStage = .network,
        outcome: @escaping @Sendable (Int) throws -> PluginOutcome = { _ in .done }
    ) {
        self.id = id
        self.frequency = frequency
        self.stage = stage
        self.outcome = outcome
    }

    func plan(_ context: PluginContext) async throws -> PlanDecision<DescribedChanges> {
        .apply(DescribedChanges(["do \(id)"]))
    }
    func apply(_ plan: DescribedChanges, _ context: PluginContext) async throws -> PluginOutcome {
        let n = lock.withLock {
            count += 1
            return count
        }
        return try outcome(n)
    }
}

struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

@Suite struct PipelineTests {
    func runPipeline(_ plugins: [any Plugin], root: TemporaryDirectory, instance: String = "i-1", dryRun: Bool = false)
        async -> [PluginRecord]
    {
        let store = StateStore(root: SystemRoot(root.path), directory: "/var/lib/guest-agent")
        let runner = PipelineRunner(plugins: plugins, store: store, dryRun: dryRun, logger: LogCapture().logger())
        return await runner.run(
            makeContext: { metadata, saved, save in
                PluginTestContext.context(metadata, root: root, savedState: saved, saveState: save)
            }, metadata: PluginTestContext.sampleMetadata(instanceID: instance))
    }

    /// Regression: two corruptions in the same second overwrote the first kept copy.
    @Test func everyCorruptStateFileIsKept() async throws {
        let root = try PluginTestContext.makeRoot()
        let instances = root.path + "/var/lib/guest-agent/instances"
        for garbage in ["first garbage", "second garbage"] {
            try root.write(garbage, to: "var/lib/guest-agent/instances/i-1.json")
            #expect(
                await runPipeline([ScriptedPlugin("p", frequency: .everyBoot)], root: root).map(\.status) == [.done])
        }
        let kept = try FileManager.default.contentsOfDirectory(atPath: instances).filter { $0.contains(".corrupt-") }
            .sorted()
        #expect(kept == ["i-1.json.corrupt-1", "i-1.json.corrupt-2"])
        #expect(kept.map { root.read("var/lib/guest-agent/instances/" + $0) } == ["first garbage", "second garbage"])
    }

    /// A plugin that could not finish (it runs again next boot) is not a success.
    @Test func runAgainMakesTheRunExitOne() {
        func record(_ status: PluginRecord.Status) -> PluginRecord {
            PluginRecord(plugin: "p", status: status, at: Date(), durationMs: 0)
        }
        #expect(AgentExitCode.of([record(.done), record(.skipped), record(.alreadyDone)]) == 0)
        #expect(AgentExitCode.of([record(.done), record(.runAgain)]) == 1)
        #expect(AgentExitCode.of([record(.failed)]) == 1)
    }

    @Test func oneFailureDoesNotStopTheOthersAndIsRetriedNextBoot() async throws {
        let root = try PluginTestContext.makeRoot()
        let first = ScriptedPlugin("first")
        let failing = ScriptedPlugin("failing") { n in
            if n == 1 { throw Boom() }
            return .done
        }
        let last = ScriptedPlugin("last")
        let records = await runPipeline([first, failing, last], root: root)
        #expect(records.map(\.status) == [.done, .failed, .done])
        #expect(records[1].error == "boom")

        let second = await runPipeline([first, failing, last], root: root)
        #expect(second.map(\.status) == [.alreadyDone, .done, .alreadyDone])
        #expect([first.applies, failing.applies, last.applies] as [Int] == [1, 2, 1])
    }

    @Test func pluginsAfterARebootRequestWaitForTheNextBoot() async throws {
        let root = try PluginTestContext.makeRoot()
        let before = ScriptedPlugin("before")
        let rebooting = ScriptedPlugin("rebooting") { _ in .rebootRequired("new kernel parameters") }
        let after = ScriptedPlugin("after")
        let first = await runPipeline([before, rebooting, after], root: root)
        #expect(first.map(\.status) == [.done, .rebootRequired, .skipped])
        #expect(first[2].reason == "deferred until after the reboot that rebooting asked for")
        #expect(after.applies == 0)

        let second = await runPipeline([before, rebooting, after], root: root)
        #expect(second.map(\.status) == [.alreadyDone, .alreadyDone, .done])
        #expect([before.applies, rebooting.applies, after.applies] as [Int] == [1, 1, 1])
    }

    @Test func newInstanceIDRunsEverythingAgain() async throws {
        let root = try PluginTestContext.makeRoot()
        let plugin = ScriptedPlugin("p")
        _ = await runPipeline([plugin], root: root, instance: "i-1")
        _ = await runPipeline([plugin], root: root, instance: "i-1")
        let records = await runPipeline([plugin], root: root, instance: "i-2")
        #expect(records.map(\.status) == [.done])
        #expect(plugin.applies == 2)
    }

    @Test func runAgainAndEveryBootPluginsRunAgain() async throws {
        let root = try PluginTestContext.makeRoot()
        let retry = ScriptedPlugin("retry") { n in n == 1 ? .runAgainNextBoot("POST failed") : .done }
        let everyBoot = ScriptedPlugin("boot", frequency: .everyBoot)
        #expect(await runPipeline([retry, everyBoot], root: root).map(\.status) == [.runAgain, .done])
        #expect(await runPipeline([retry, everyBoot], root: root).map(\.status) == [.done, .done])
        #expect(await runPipeline([retry, everyBoot], root: root).map(\.status) == [.alreadyDone, .done])
        #expect(everyBoot.applies == 3)
    }

    @Test func dryRunAppliesNothingAndSavesNothing() async throws {
        let root = try PluginTestContext.makeRoot()
        let plugin = ScriptedPlugin("p")
        let records = await runPipeline([plugin], root: root, dryRun: true)
        #expect(records.first?.status == .wouldApply)
        #expect(records.first?.changes == ["do p"])
        #expect(plugin.applies == 0)
        #expect(!FileManager.default.fileExists(atPath: root.path + "/var/lib/guest-agent"))
    }

    @Test func corruptStateIsSetAsideNotFatal() async throws {
        let root = try PluginTestContext.makeRoot()
        try root.write("{not json", to: "var/lib/guest-agent/instances/i-1.json")
        let plugin = ScriptedPlugin("p")
        #expect(await runPipeline([plugin], root: root).map(\.status) == [.done])
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path + "/var/lib/guest-agent/instances")
        #expect(names.contains { $0.hasPrefix("i-1.json.corrupt-") })
    }

    @Test func hostileInstanceIDsStayInsideTheStateDirectory() async throws {
        let root = try PluginTestContext.makeRoot()
        _ = await runPipeline([ScriptedPlugin("p")], root: root, instance: "../../etc/passwd")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path + "/var/lib/guest-agent/instances")
        #expect(names == ["x-2e2e2f2e2e2f6574632f706173737764.json"])
        #expect(root.read("etc/passwd")?.hasPrefix("root:x:0:0") == true)
    }

    @Test func pluginDataPersistsAcrossRuns() async throws {
        let root = try PluginTestContext.makeRoot()
        struct Saver: Plugin {
            let id = "saver"
            let frequency = PluginFrequency.everyBoot
            let stage = PluginStage.network
            func plan(_ context: PluginContext) async throws -> PlanDecision<DescribedChanges> {
                .apply(DescribedChanges([]))
            }
            func apply(_ plan: DescribedChanges, _ context: PluginContext) async throws -> PluginOutcome {
                struct Counter: Codable { var count: Int }
                let count = (try context.savedState(as: Counter.self)?.count ?? 0) + 1
                try context.saveState(Counter(count: count))
                return count == 3 ? .done : .runAgainNextBoot("count \(count)")
            }
        }
        #expect(await runPipeline([Saver()], root: root).first?.reason == "count 1")
        #expect(await runPipeline([Saver()], root: root).first?.reason == "count 2")
        #expect(await runPipeline([Saver()], root: root).first?.status == .done)
    }
}
