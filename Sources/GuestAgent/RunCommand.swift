import ArgumentParser
import Plugins

extension PluginStage: ExpressibleByArgument {}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the plugin pipeline once.",
        discussion:
            "Exit 0: every plugin succeeded or was skipped; 1: a plugin failed or could not finish; 2: no metadata source; 64: usage or configuration error; 75: another run on the same root did not finish within run_lock_timeout."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "Print what each plugin would change; change nothing.")
    var dryRun = false

    @Option(
        name: .long,
        help: "Run one stage: local (before the network, config drive only) or network. Default: both, in order.")
    var stage: PluginStage?

    func run() async throws {
        let config = try options.loadConfig()
        let logger = options.makeLogger(config)
        // A dry run changes nothing, so it neither needs the lock nor creates the state directory.
        let lock = dryRun ? nil : try await options.lockRoot(config)
        let summary = await AgentRun(config: config, root: options.systemRoot, dryRun: dryRun, logger: logger)
            .execute(stages: stage.map { [$0] } ?? PluginStage.allCases)
        withExtendedLifetime(lock) {}
        print(StatusReport.text(summary), terminator: "")
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}
