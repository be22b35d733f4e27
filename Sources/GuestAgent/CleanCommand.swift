import ArgumentParser
import Plugins

struct CleanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean", abstract: "Forget per-instance state; the next run is a first boot.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let config = try options.loadConfig()
        let lock = try await options.lockRoot(config)
        do {
            try StateStore(root: options.systemRoot, directory: config.run.stateDir).clean()
        } catch {
            printError("guest-agent: \(error)")
            throw ExitCode(1)
        }
        withExtendedLifetime(lock) {}
        let directory = try options.systemRoot.resolve(config.run.stateDir)
        print("state cleared in \(directory)")
    }
}
