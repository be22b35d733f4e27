import AgentBase
import DataSources
import Foundation
import HostEffects
import TestSupport
import Testing

@testable import Plugins

/// The platform's startup script (GCE's `startup-script`) run by the real bash in a chroot
/// scratch root, across simulated boots of one instance (the same state directory): it runs
/// at every boot, by `/bin/bash` when it has no `#!`, and a failure names its status.
@Suite(
    .serialized, .enabled(if: Program.isRoot, "needs root (bind mount, chroot): skipped; CI runs as root"),
    .ownThread(.timesDeadlines))
struct StartupScriptPluginTests {
    /// One boot of the `startup_script` plugin alone, with `script` in the metadata.
    static func boot(root: String, script: StartupScript?, dryRun: Bool = false) async -> PluginRecord {
        let systemRoot = SystemRoot(root)
        let config = AgentConfig()
        let store = StateStore(root: systemRoot, directory: config.run.stateDir)
        let logs = LogCapture()
        let runner = PipelineRunner(
            plugins: [PluginRegistry.make("startup_script")!], store: store, dryRun: dryRun, logger: logs.logger())
        var metadata = PluginTestContext.sampleMetadata()
        metadata.startupScript = script
        let records = await runner.run(
            makeContext: { metadata, saved, save in
                PluginContext(
                    metadata: metadata, config: config, root: systemRoot,
                    runner: SubprocessCommandRunner(tools: ToolLocator(root: systemRoot)),
                    http: MetadataHTTPClient(policy: RetryPolicy(retries: 0, requestTimeout: 1)),
                    logger: logs.logger(), savedState: saved, saveState: save, console: { _ in })
            }, metadata: metadata, stage: .network)
        return records[0]
    }

    static func marks(_ root: ChrootScratchRoot) -> [String] {
        let text = FileManager.default.contents(atPath: root.path + "/tmp/marks").map {
            String(decoding: $0, as: UTF8.self)
        }
        return (text ?? "").split(separator: "\n").map(String.init)
    }

    /// No `#!`: bash runs it (`$BASH_VERSION` is set), and again at the next boot.
    @Test func aScriptWithoutInterpreterRunsByBashAtEveryBoot() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let script = StartupScript(
            origin: "instance attribute startup-script",
            content: Data("[[ -n \"$BASH_VERSION\" ]] && echo \"bash $INSTANCE_ID\" >> /tmp/marks\n".utf8))
        let first = await Self.boot(root: root.path, script: script)
        #expect(first.status == .done, "\(first)")
        let second = await Self.boot(root: root.path, script: script)
        #expect(second.status == .done, "\(second)")
        let id = PluginTestContext.sampleMetadata().instanceID
        #expect(Self.marks(root) == ["bash \(id)", "bash \(id)"])
        #expect(try root.directory.attributes("var/lib/guest-agent/userdata/scripts/startup-script").mode == 0o700)
    }

    /// A `#!` line names the interpreter: python3 here, not bash.
    @Test func aScriptWithInterpreterRunsByIt() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let script = StartupScript(
            origin: "project attribute startup-script",
            content: Data("#!/usr/bin/python3\nopen('/tmp/marks', 'a').write('python\\n')\n".utf8))
        let record = await Self.boot(root: root.path, script: script)
        #expect(record.status == .done, "\(record)")
        #expect(Self.marks(root) == ["python"])
    }

    @Test func aFailingScriptFailsThePluginNamingItsStatusAndOutput() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let script = StartupScript(
            origin: "instance attribute startup-script", content: Data("echo 'disk not found' >&2\nexit 7\n".utf8))
        let record = await Self.boot(root: root.path, script: script)
        #expect(record.status == .failed, "\(record)")
        #expect(
            record.error?.contains(
                "the instance attribute startup-script exited with status 7; last output: disk not found")
                == true, "\(record)")
    }

    /// `startup-script-url` is not fetched: said by name, never silently dropped; a script
    /// beside it still runs first.
    @Test func aURLIsNamedAsNotFetched() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let script = StartupScript(
            origin: "instance attribute startup-script", content: Data("echo ran >> /tmp/marks\n".utf8),
            unfetchedURL: "gs://bucket/boot.sh")
        let record = await Self.boot(root: root.path, script: script)
        #expect(record.status == .failed, "\(record)")
        #expect(record.error?.contains("startup-script-url gs://bucket/boot.sh was not fetched") == true, "\(record)")
        #expect(Self.marks(root) == ["ran"])
    }

    /// No script: skipped with the reason, and `--dry-run` shows the plan without running it.
    @Test func noScriptIsSkippedAndADryRunRunsNothing() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let none = await Self.boot(root: root.path, script: nil)
        #expect(none.status == .skipped && none.reason == "the platform gives no startup script", "\(none)")
        let script = StartupScript(
            origin: "instance attribute startup-script", content: Data("echo x >> /tmp/marks".utf8))
        let dry = await Self.boot(root: root.path, script: script, dryRun: true)
        #expect(dry.status == .wouldApply, "\(dry)")
        #expect(
            dry.changes == ["run the instance attribute startup-script (20 bytes) with /bin/bash (it has no #! line)"],
            "\(dry)")
        #expect(Self.marks(root).isEmpty)
    }
}
