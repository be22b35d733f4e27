import AgentBase
import DataSources
import Foundation
import HostEffects
import TestSupport
import Testing

@testable import Plugins

/// The package keys applied through the userdata plugin with fake package managers in a
/// scratch root (dnf, yum, zypper and apk are not on this machine): which manager is found
/// in the root, the argv run inside it (chroot), the time limit, the environment, and what a
/// failure says. The real apt-get is run by `PackagesEndToEndTests`.
@Suite(.enabled(if: Program.isRoot, "needs root (user data commands under --root run by chroot): skipped; CI is root"))
struct CloudConfigPackagesTests {
    /// Records like `RecordingCommandRunner` and writes `output` where the command's output
    /// goes (`CommandOptions.outputFile`), as a real package manager would.
    final class FakeTools: CommandRunner, @unchecked Sendable {
        let recording = RecordingCommandRunner()
        let answer: @Sendable ([String]) throws -> (CommandResult, String)

        init(
            answer: @escaping @Sendable ([String]) throws -> (CommandResult, String) = { _ in (.init(exitCode: 0), "") }
        ) {
            self.answer = answer
        }

        var calls: [RecordingCommandRunner.Call] { recording.calls }

        func run(_ argv: [String], standardInput: Data?, options: CommandOptions) async throws -> CommandResult {
            _ = try await recording.run(argv, standardInput: standardInput, options: options)
            let (result, output) = try answer(argv)
            if let file = options.outputFile { try Data(output.utf8).write(to: URL(fileURLWithPath: file)) }
            return result
        }
    }

    final class SavedState: @unchecked Sendable {
        private let lock = NSLock()
        private var value: JSONValue?
        var current: JSONValue? { lock.withLock { value } }
        func save(_ new: JSONValue?) { lock.withLock { value = new } }
    }

    struct Run {
        let root: TemporaryDirectory
        let tools: FakeTools
        let logs = LogCapture()
        let state = SavedState()
        var config = AgentConfig()

        init(fakeTools paths: [String], answer: FakeTools = FakeTools()) throws {
            root = try PluginTestContext.makeRoot()
            tools = answer
            for path in paths { try root.write("#!/bin/sh\nexit 0\n", to: String(path.dropFirst()), mode: 0o755) }
            config.userdataScriptTimeout = 42
        }

        func context(_ yaml: String) -> PluginContext {
            var metadata = PluginTestContext.sampleMetadata()
            metadata.userData = Data(yaml.utf8)
            return PluginTestContext.context(
                metadata, root: root, config: config, runner: tools, logger: logs.logger(),
                savedState: state.current, saveState: { [state] in state.save($0) })
        }

        /// One boot of the userdata plugin; the error it fails with, nil when done.
        func boot(_ yaml: String) async -> String? {
            do {
                _ = try await UserDataPlugin().planAndApply(context(yaml))
                return nil
            } catch {
                return "\(error)"
            }
        }

        /// The argv run inside the root, without the chroot in front.
        var commands: [[String]] {
            tools.calls.map { call in
                guard call.argv.count > 2, call.argv[1] == root.path, call.argv[0].hasSuffix("/chroot") else {
                    return ["not run by chroot into the root:"] + call.argv
                }
                return Array(call.argv.dropFirst(2))
            }
        }
    }

    static let document = "#cloud-config\npackage_update: true\npackages: [vim, [tmux, '3.3a']]\n"

    @Test func dnfIsPreferredToYumAndRunsInsideTheRootUnderTheTimeLimit() async throws {
        let run = try Run(fakeTools: ["/usr/bin/dnf", "/usr/bin/yum"])
        #expect(await run.boot(Self.document) == nil)
        #expect(
            run.commands == [
                ["/usr/bin/dnf", "-y", "makecache"], ["/usr/bin/dnf", "-y", "install", "vim", "tmux-3.3a"],
            ])
        for call in run.tools.calls {
            #expect(call.options.timeout == .seconds(42), "userdata_script_timeout")
            #expect(call.options.environment?["DEBIAN_FRONTEND"] == nil)
            #expect(call.options.environment?["PATH"]?.contains("/usr/sbin") == true)
            #expect(call.options.workingDirectory == run.root.path)
        }
        #expect(
            run.tools.calls.map { $0.options.outputFile ?? "" }
                == ["update", "install"].map {
                    run.root.path + "/var/lib/guest-agent/userdata/output/part-1-packages-\($0).log"
                })
    }

    @Test(arguments: [
        (
            "/usr/bin/apt-get",
            [
                "/usr/bin/apt-get", "--option=Dpkg::Options::=--force-confold", "-y", "--quiet", "install", "vim",
                "tmux=3.3a",
            ]
        ),
        ("/usr/bin/yum", ["/usr/bin/yum", "-t", "-y", "install", "vim", "tmux-3.3a"]),
        (
            "/usr/bin/zypper",
            ["/usr/bin/zypper", "--non-interactive", "install", "--auto-agree-with-licenses", "vim", "tmux=3.3a"]
        ),
        ("/sbin/apk", ["/sbin/apk", "--quiet", "add", "vim", "tmux=3.3a"]),
    ])
    func theImagesOwnManagerIsUsed(tool: String, install: [String]) async throws {
        let run = try Run(fakeTools: [tool])
        #expect(await run.boot(Self.document) == nil)
        #expect(run.commands.count == 2 && run.commands.last == install, "\(run.commands)")
        #expect(run.commands.first?.first == tool)
        let apt = tool.hasSuffix("apt-get")
        #expect(run.tools.calls.allSatisfy { ($0.options.environment?["DEBIAN_FRONTEND"] == "noninteractive") == apt })
    }

    @Test func aFailureNamesTheKeyTheManagerAndItsLastLinesAndTheRestStillRuns() async throws {
        let tools = FakeTools { argv in
            argv.contains("install")
                ? (
                    CommandResult(exitCode: 1),
                    "Last metadata expiration check: 0:00:01 ago\nError: Unable to find a match: nosuch\n"
                )
                : (CommandResult(exitCode: 0), "Metadata cache created.\n")
        }
        let run = try Run(fakeTools: ["/usr/bin/dnf"], answer: tools)
        let yaml = """
            #cloud-config
            package_upgrade: true
            packages: [nosuch]
            write_files:
              - path: /etc/after-packages
                content: deferred
                defer: true
              - path: /etc/before-packages
                content: early
            """
        let error = try #require(await run.boot(yaml))
        #expect(run.commands.map { $0[2] } == ["makecache", "upgrade", "install"], "each step runs, as in cloud-init")
        #expect(
            error.contains(
                "packages: dnf install exited with status 1; last output: Last metadata expiration check: 0:00:01 ago"
                    + " | Error: Unable to find a match: nosuch (whole output in "
                    + "/var/lib/guest-agent/userdata/output/part-1-packages-install.log)"), "\(error)")
        #expect(!error.contains("package_upgrade:"), "the upgrade succeeded: \(error)")
        #expect(run.root.read("etc/before-packages") == "early" && run.root.read("etc/after-packages") == "deferred")
    }

    @Test func aTimeoutSaysSoWithTheSetting() async throws {
        let tools = FakeTools { argv in
            argv.contains("refresh")
                ? (CommandResult(exitCode: 137, timedOut: true), "Downloading\n") : (.init(exitCode: 0), "")
        }
        let run = try Run(fakeTools: ["/usr/bin/zypper"], answer: tools)
        let error = try #require(await run.boot("#cloud-config\npackage_update: true\n"))
        #expect(
            error.contains(
                "package_update: zypper refresh was killed after 42.0 s (userdata_script_timeout); last output: Downloading"
            ),
            "\(error)")
    }

    @Test func noManagerInTheImageFailsNamingTheKeysAndTheOtherKeysApply() async throws {
        let run = try Run(fakeTools: [])
        // This machine has apt-get: only the root's own tools count.
        let error = try #require(
            await run.boot(
                "#cloud-config\npackage_update: true\npackages: [vim]\nwrite_files: [{path: /etc/x, content: y}]\n"))
        #expect(
            error.contains(
                "package_update, packages: no package manager in the image: none of apt-get, dnf, yum, zypper, apk in "
                    + "/usr/local/sbin, /usr/local/bin, /usr/sbin, /usr/bin, /sbin, /bin of the root \(run.root.path)"),
            "\(error)")
        #expect(run.tools.calls.isEmpty)
        #expect(run.root.read("etc/x") == "y")
    }

    /// A command that cannot be started at all (here: the runner cannot run chroot) is not
    /// tried again for each later step: one failure names them all.
    @Test func aCommandThatCannotStartStopsTheSteps() async throws {
        let tools = FakeTools { argv in throw HostError.commandNotFound(argv[0]) }
        let run = try Run(fakeTools: ["/usr/bin/apt-get"], answer: tools)
        let error = try #require(await run.boot("#cloud-config\npackage_upgrade: true\npackages: [vim]\n"))
        #expect(run.tools.calls.count == 1)
        #expect(error.contains("package_upgrade, packages: "), "\(error)")
    }

    /// Once per instance: the part's record keeps a second boot from running anything.
    @Test func aSecondBootRunsNothing() async throws {
        let run = try Run(fakeTools: ["/usr/bin/dnf"])
        #expect(await run.boot(Self.document) == nil)
        #expect(run.tools.calls.count == 2)
        #expect(run.state.current != nil)
        #expect(await run.boot(Self.document) == nil)
        #expect(run.tools.calls.count == 2)
        let plan = try await UserDataPlugin().describedPlan(run.context(Self.document))
        guard case .skip(let why) = plan else {
            Issue.record("a second boot plans \(plan)")
            return
        }
        #expect(why.contains("applied at an earlier boot"), "\(why)")
    }

    @Test func theDryRunShowsWhatWouldRun() async throws {
        let run = try Run(fakeTools: ["/usr/bin/apt-get"])
        let plan = try await UserDataPlugin().describedPlan(run.context(Self.document))
        #expect(
            plan
                == .apply([
                    "part 1 (text/cloud-config): apply cloud-config: package_update, packages (2); run "
                        + "DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get --option=Dpkg::Options::=--force-confold -y --quiet update"
                        + "; then DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get --option=Dpkg::Options::=--force-confold -y --quiet"
                        + " install vim tmux=3.3a"
                ]), "\(plan)")
        #expect(run.tools.calls.isEmpty)

        let none = try Run(fakeTools: [])
        let refused = try await UserDataPlugin().describedPlan(none.context(Self.document))
        guard case .apply(let lines) = refused else {
            Issue.record("\(refused)")
            return
        }
        #expect(lines.first?.contains("; package_update, packages would fail: no package manager in the image") == true)
    }
}
