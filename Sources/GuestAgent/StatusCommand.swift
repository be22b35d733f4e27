import ArgumentParser
import DataSources
import Foundation
import Plugins

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show what the last run did, per plugin.")

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        let config = try options.loadConfig()
        let store = StateStore(root: options.systemRoot, directory: config.stateDir)
        guard let summary = try store.loadSummary() else {
            // state_dir passed `SystemRoot.problem(with:)` when the configuration was read.
            let directory = try options.systemRoot.resolve(config.stateDir)
            printError("guest-agent: no run recorded in \(directory)")
            throw ExitCode(1)
        }
        let fingerprints = StatusReport.hostKeyFingerprints(summary, store: store)
        print(
            json
                ? StatusReport.json(summary, hostKeyFingerprints: fingerprints)
                : StatusReport.text(summary, hostKeyFingerprints: fingerprints), terminator: json ? "\n" : "")
    }
}

struct CleanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean", abstract: "Forget per-instance state; the next run is a first boot.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let config = try options.loadConfig()
        let lock = try await options.lockRoot(config)
        do {
            try StateStore(root: options.systemRoot, directory: config.stateDir).clean()
        } catch {
            printError("guest-agent: \(error)")
            throw ExitCode(1)
        }
        withExtendedLifetime(lock) {}
        let directory = try options.systemRoot.resolve(config.stateDir)
        print("state cleared in \(directory)")
    }
}
