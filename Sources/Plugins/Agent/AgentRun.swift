import DataSources
import Foundation
import Logging

/// One pass of `guest-agent run`: discovery, the plugin pipeline, the summary, the exit code.
public struct AgentRun: Sendable {
    public let config: AgentConfig
    public let root: SystemRoot
    public let dryRun: Bool
    public let runner: any CommandRunner
    public let logger: Logger
    /// Sources to use instead of the configured ones (tests); nil: from the registry.
    public let sources: [any DataSource]?
    public let console: @Sendable (String) -> Void

    public init(config: AgentConfig, root: SystemRoot, dryRun: Bool, runner: any CommandRunner = SubprocessCommandRunner(),
                logger: Logger, sources: [any DataSource]? = nil, console: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.config = config
        self.root = root
        self.dryRun = dryRun
        self.runner = runner
        self.logger = logger
        self.sources = sources
        self.console = console
    }

    /// Runs and returns the summary (also saved to the state directory unless dry-run).
    public func execute() async -> RunSummary {
        let started = Date()
        let store = StateStore(root: root, directory: config.stateDir)
        let discovery = Discovery(sources: sources ?? DataSourceRegistry.makeSources(config: config, root: root, logger: logger),
                                  deadline: config.discoveryTimeout, logger: logger)
        let found = await discovery.run()
        guard let metadata = found.metadata else {
            logger.error("no metadata source found", metadata: ["tried": "\(found.attempts.joined(separator: "; "))"])
            return finish(RunSummary(instanceID: nil, source: nil, startedAt: started, finishedAt: Date(),
                                     exitCode: AgentExitCode.noMetadata, dryRun: dryRun, sourcesTried: found.attempts, plugins: []),
                          store: store)
        }
        let plugins = config.plugins.compactMap(PluginRegistry.make)
        let http = DataSourceRegistry.httpClient(config: config, logger: logger)
        let pipeline = PipelineRunner(plugins: plugins, store: store, dryRun: dryRun, logger: logger)
        let records = await pipeline.run(makeContext: { metadata, saved, save in
            PluginContext(metadata: metadata, config: config, root: root, runner: runner, http: http,
                          logger: logger, savedData: saved, saveData: save, console: console)
        }, metadata: metadata)
        let summary = finish(RunSummary(instanceID: metadata.instanceID, source: metadata.sourceID, startedAt: started,
                                        finishedAt: Date(), exitCode: AgentExitCode.of(records),
                                        dryRun: dryRun, sourcesTried: found.attempts, plugins: records),
                             store: store)
        await RebootDecision.decide(records: records, config: config, root: root, dryRun: dryRun).perform(runner: runner, logger: logger)
        return summary
    }

    private func finish(_ summary: RunSummary, store: StateStore) -> RunSummary {
        guard !dryRun else { return summary }
        do {
            try store.saveSummary(summary)
        } catch {
            logger.error("could not save the run summary", metadata: ["error": "\(error)"])
        }
        return summary
    }
}
