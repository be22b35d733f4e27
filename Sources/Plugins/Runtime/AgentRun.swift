import AgentBase
import DataSources
import FoundationEssentials
import HostEffects
import Logging

/// One pass of `guest-agent run`: per stage, discovery and the plugin pipeline; then the
/// summary and the exit code.
public struct AgentRun: Sendable {
    public let config: AgentConfig
    public let root: SystemRoot
    public let dryRun: Bool
    public let runner: any CommandRunner
    public let logger: Logger
    /// Sources to use instead of the configured ones (tests); nil: from the registry.
    public let sources: [any DataSource]?
    public let console: @Sendable (String) -> Void

    public init(
        config: AgentConfig, root: SystemRoot, dryRun: Bool, runner: (any CommandRunner)? = nil,
        logger: Logger, sources: [any DataSource]? = nil, console: @escaping @Sendable (String) -> Void = { print($0) }
    ) {
        self.config = config
        self.root = root
        self.dryRun = dryRun
        self.runner = runner ?? SubprocessCommandRunner(tools: ToolLocator(root: root))
        self.logger = logger
        self.sources = sources
        self.console = console
    }

    /// Runs `stages` in order and returns the summary (also saved to the state directory
    /// unless dry-run). The network stage's summary includes its boot's local stage.
    public func execute(stages: [PluginStage] = PluginStage.allCases) async -> RunSummary {
        let started = Date()
        let store = StateStore(root: root, directory: config.run.stateDir)
        let bootID = BootID.current()
        let settings = config.dataSourceSettings(root: root)
        let allSources = sources ?? DataSourceRegistry.makeSources(settings: settings, logger: logger)
        var summary = RunSummary(
            instanceID: nil, source: nil, startedAt: started, finishedAt: started, exitCode: 0,
            dryRun: dryRun, sourcesTried: [], plugins: [], stages: [], bootID: bootID)
        if stages.first == .network, let earlier = try? store.loadSummary(), earlier.bootID == bootID, bootID != nil {
            summary.plugins = earlier.plugins.filter { $0.stage == .local }
            summary.stages = earlier.stages?.filter { $0.stage == .local }
        }
        var found: InstanceMetadata?
        let endOfRun = EndOfRunRequests()
        for stage in stages {
            let stageStarted = Date()
            var discoveryMs: Int?
            let stageLogger = logger.with(stage: stage)
            let candidates = stage == .local ? allSources.filter(\.isLocal) : allSources
            if found == nil || stage == .local {
                let discovery = await Discovery(
                    sources: candidates, deadline: settings.discoveryDeadline, logger: stageLogger
                ).run()
                summary.sourcesTried += discovery.attempts
                found = discovery.metadata
                if stage == .local, found == nil,
                    let leased = await discoverOverLease(
                        allSources, deadline: settings.discoveryDeadline - Date().timeIntervalSince(stageStarted),
                        stageLogger)
                {
                    summary.sourcesTried += leased.attempts
                    found = leased.metadata
                }
                discoveryMs = Self.milliseconds(since: stageStarted)
            }
            guard let metadata = found else {
                let note =
                    stage == .local
                    ? "no local source (config drive): the network stage does everything" : "no metadata source found"
                let code = stage == .local ? AgentExitCode.success : AgentExitCode.noMetadata
                stageLogger.log(
                    level: stage == .local ? .info : .error, "\(note)",
                    metadata: ["tried": "\(summary.sourcesTried.joined(separator: "; "))"])
                summary.stages?.append(
                    StageNote(
                        stage: stage, source: nil, note: note, exitCode: code, startedAt: stageStarted,
                        durationMs: Self.milliseconds(since: stageStarted), discoveryMs: discoveryMs))
                continue
            }
            let records = await runPlugins(
                stage: stage, metadata: metadata, store: store, bootID: bootID,
                http: settings.httpClient(logger: stageLogger), logger: stageLogger, endOfRun: endOfRun)
            if stage == .network {
                await BootCheckInSender.send(
                    metadata.bootCheckIn, client: settings.httpClient(logger: stageLogger), dryRun: dryRun,
                    logger: stageLogger)
                await BootCheckInSender.sendReadyReport(
                    metadata.readyReport, client: settings.httpClient(logger: stageLogger), dryRun: dryRun,
                    logger: stageLogger)
            }
            summary.instanceID = metadata.instanceID
            summary.source = metadata.sourceID
            summary.plugins += records
            summary.stages?.append(
                StageNote(
                    stage: stage, source: metadata.sourceID, note: "\(records.count) plugin(s)",
                    exitCode: AgentExitCode.of(records), startedAt: stageStarted,
                    durationMs: Self.milliseconds(since: stageStarted), discoveryMs: discoveryMs))
        }
        summary.finishedAt = Date()
        summary.exitCode = Self.exitCode(summary)
        finish(summary, store: store)
        let reboot = RebootDecision.decide(records: summary.plugins, config: config, root: root, dryRun: dryRun)
        await reboot.perform(runner: runner, logger: logger)
        // cloud-config power_state: after the boot's last plugin, with everything saved.
        await PowerStateAction.decide(endOfRun.powerState, root: root, dryRun: dryRun, reboot: reboot).perform(
            runner: runner, logger: logger)
        return summary
    }

    /// The local stage without a local source: the network sources that read
    /// 169.254.169.254, read over a short-lived DHCP lease (`LocalStageLease`), on the live
    /// system only, never in a dry run, and by default only where DMI names the platform
    /// (`local_stage_dhcp`). Nil when there is nothing to try or no lease.
    private func discoverOverLease(_ sources: [any DataSource], deadline: Double, _ logger: Logger) async
        -> Discovery.Result?
    {
        // The DMI read only where a lease could be taken at all (not for an image under --root).
        guard root.isLiveSystem, !dryRun else { return nil }
        let leaseSources = LocalStageLease.leaseSources(
            sources, setting: config.sources.localStageDHCP, hint: PlatformHint.detect(root: root))
        guard !leaseSources.isEmpty else { return nil }
        logger.info(
            "no local source: trying a DHCP lease to read the metadata service before the network starts",
            metadata: ["sources": "\(leaseSources.map(\.id).joined(separator: ", "))"])
        return await LocalStageLease(root: root, runner: runner, logger: logger).withLease(within: deadline) {
            remaining in
            await Discovery(sources: leaseSources, deadline: remaining, logger: logger).run()
        }
    }

    private func runPlugins(
        stage: PluginStage, metadata: InstanceMetadata, store: StateStore, bootID: String?,
        http: MetadataHTTPClient, logger: Logger, endOfRun: EndOfRunRequests
    ) async -> [PluginRecord] {
        let plugins = config.run.plugins.compactMap(PluginRegistry.make)
        let pipeline = PipelineRunner(plugins: plugins, store: store, dryRun: dryRun, logger: logger)
        let overrides = CloudConfigOverrides.read(metadata)
        return await pipeline.run(
            makeContext: { metadata, saved, save in
                PluginContext(
                    metadata: metadata, config: config, root: root, runner: runner, http: http,
                    logger: logger, savedState: saved, saveState: save, console: console,
                    liveHostname: root.isLiveSystem ? KernelHostname() : nil,
                    liveInterfaces: root.isLiveSystem ? KernelInterfaces() : nil, stage: stage,
                    userDataOverrides: overrides, endOfRun: endOfRun)
            }, metadata: metadata, stage: stage, bootID: bootID)
    }

    static func milliseconds(since start: Date) -> Int {
        Int(Date().timeIntervalSince(start) * 1000)
    }

    /// No metadata in the network stage: 2; else 1 when a plugin failed or must run again.
    static func exitCode(_ summary: RunSummary) -> Int32 {
        if summary.stages?.contains(where: { $0.exitCode == AgentExitCode.noMetadata }) == true {
            return AgentExitCode.noMetadata
        }
        return AgentExitCode.of(summary.plugins)
    }

    private func finish(_ summary: RunSummary, store: StateStore) {
        guard !dryRun else { return }
        do {
            try store.saveRun(summary)
        } catch {
            logger.error("could not save the run summary", metadata: ["error": "\(error)"])
        }
    }
}

/// The kernel's id of the current boot (`/proc/sys/kernel/random/boot_id`), read from the
/// running kernel even with `--root`: a stage belongs to the boot of the machine it runs on.
public enum BootID {
    public static func current() -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/sys/kernel/random/boot_id") else { return nil }
        let text = String(decoding: data.prefix(64), as: UTF8.self).trimmingWhitespaceAndNewlines()
        return text.isEmpty ? nil : text
    }
}
