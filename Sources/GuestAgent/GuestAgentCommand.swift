import ArgumentParser
import Plugins

/// `guest-agent`: the root command. Commands only parse, wire and print; the work is in
/// the libraries (the executable is wiring only: docs/ARCHITECTURE.md).
struct GuestAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guest-agent",
        abstract: "Turns a generic VM image into this instance at first boot.",
        version: AgentVersion.current,
        subcommands: [
            RunCommand.self, StatusCommand.self, AnalyzeCommand.self, QueryCommand.self, CleanCommand.self,
            VersionCommand.self, SampleConfigCommand.self, DecryptPasswordCommand.self,
        ]
    )
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default \(AgentConfig.defaultPath)).")
    var config: String?

    @Option(name: .long, help: "Act on this directory as the system root (image builds, tests).")
    var root: String?

    @Option(name: .long, help: "Override log_level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")
    func run() {
        print("guest-agent \(AgentVersion.current)")
    }
}

struct SampleConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-config", abstract: "Print a configuration file with every key and its default.")
    func run() {
        print(AgentConfig.sampleText, terminator: "")
    }
}
