import AgentBase
import ArgumentParser
import DataSources
import FoundationEssentials
import Plugins

#if canImport(Glibc)
import Glibc
#endif

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Fetch and print the normalized metadata (secrets redacted).")

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Argument(
        help:
            "One key, e.g. instance_id or meta.admin_username; userdata prints the raw user data the userdata plugin saved."
    )
    var key: String?

    func run() async throws {
        let config = try options.loadConfig()
        if key == "userdata" {
            // The raw user data the userdata plugin saved (root-only, 0600), as cloud-init's
            // `query userdata`: no discovery, and never through the log.
            let raw: Data
            do {
                raw = try UserDataPlugin.savedRaw(root: options.systemRoot, stateDir: config.run.stateDir)
            } catch {
                printError("guest-agent: \(error)")
                throw ExitCode(1)
            }
            if let problem = LogSink.writeAll(STDOUT_FILENO, Array(raw)) {
                printError("guest-agent: cannot write the user data to standard output: \(problem)")
                throw ExitCode(1)
            }
            return
        }
        let logger = options.makeLogger(config)
        let settings = config.dataSourceSettings(root: options.systemRoot, needs: .all)
        let discovery = Discovery(
            sources: DataSourceRegistry.makeSources(settings: settings, logger: logger),
            deadline: settings.discoveryDeadline, logger: logger)
        let found = await discovery.run()
        guard let metadata = found.metadata else {
            printError(
                TextPreview.escaped("guest-agent: no metadata source found: \(found.attempts.joined(separator: "; "))"))
            throw ExitCode(AgentExitCode.noMetadata)
        }
        let view = MetadataQuery.view(metadata)
        guard let key else {
            print(MetadataQuery.render(.object(view), json: true))
            return
        }
        guard let value = MetadataQuery.value(view, key: key) else {
            printError("guest-agent: no key '\(key)' in the metadata")
            throw ExitCode(1)
        }
        print(MetadataQuery.render(value, json: json))
    }
}
