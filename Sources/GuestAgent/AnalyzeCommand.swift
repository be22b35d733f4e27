import ArgumentParser
import FoundationEssentials
import Plugins

/// `guest-agent analyze`: per boot, how long each stage and plugin took, slowest first,
/// from the boot history the runs save (`state_dir/boots.json`, the last 10 boots).
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze", abstract: "Show, per boot, how long each stage and plugin took (slowest first).",
        discussion: "Reads the last \(BootHistory.limit) boots from the state directory. Exit 1 when none is recorded."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        let config = try options.loadConfig()
        let store = StateStore(root: options.systemRoot, directory: config.run.stateDir)
        let boots: [BootTimings]
        do {
            let history = try store.loadHistory()
            // State written before the boot history existed: the last run is the one boot known.
            boots = AnalyzeReport.boots(history: history, lastRun: history == nil ? try store.loadSummary() : nil)
        } catch {
            printError("guest-agent: \(error)")
            throw ExitCode(1)
        }
        guard !boots.isEmpty else {
            printError("guest-agent: no run recorded in \(try options.systemRoot.resolve(config.run.stateDir))")
            throw ExitCode(1)
        }
        print(
            json ? AnalyzeReport.json(boots) : AnalyzeReport.text(boots, currentBoot: BootID.current()),
            terminator: json ? "\n" : "")
    }
}
