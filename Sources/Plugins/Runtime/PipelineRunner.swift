import AgentBase
import DataSources
import FoundationEssentials
import HostEffects
import Logging

/// Runs the configured plugins for one instance, isolating failures and recording
/// per-instance state after every plugin that changed it, so a crash or reboot mid-run
/// resumes at the first plugin that had not finished.
///
/// Durability is per plugin step: a plugin's files reach the disk whole as it writes them,
/// and the directories holding their new names are synced once, when the step ends and
/// before the state records it (`PendingDirectorySyncs`), or before the plugin saves
/// progress of its own.
public struct PipelineRunner: Sendable {
    public let plugins: [any Plugin]
    public let store: StateStore
    public let dryRun: Bool
    public let logger: Logger

    public init(plugins: [any Plugin], store: StateStore, dryRun: Bool, logger: Logger) {
        self.plugins = plugins
        self.store = store
        self.dryRun = dryRun
        self.logger = logger
    }

    /// The plugins `stage` runs: the local stage its own; the network stage its own plus
    /// the local-stage ones, unless the local stage already ran them in this boot
    /// (`bootID`) for this instance (no config drive: the network stage does everything).
    func plugins(for stage: PluginStage, state: InstanceState, bootID: String?) -> [any Plugin] {
        switch stage {
        case .local:
            return plugins.filter { $0.stage == .local }
        case .network:
            let localRan = bootID != nil && state.localStageBoot == bootID
            return plugins.filter { $0.stage == .network || !localRan }
        }
    }

    /// Runs the plugins of `stage` in order; returns one record per plugin. After a plugin
    /// that needs a reboot, the rest wait for the next boot (as cloudbase-init does): they
    /// are recorded as skipped, so they run after the reboot.
    public func run(
        makeContext: (InstanceMetadata, JSONValue?, @escaping @Sendable (JSONValue?) throws -> Void) -> PluginContext,
        metadata: InstanceMetadata, stage: PluginStage = .network, bootID: String? = nil
    ) async -> [PluginRecord] {
        let stateBox = StateBox(initial: loadState(metadata.instanceID))
        let directorySyncs = PendingDirectorySyncs()
        var records: [PluginRecord] = []
        var rebootingFor: String?
        for plugin in plugins(for: stage, state: stateBox.value, bootID: bootID) {
            let started = Date()
            if let rebootingFor {
                records.append(
                    PluginRecord(
                        plugin: plugin.id, stage: stage, status: .skipped, at: started, durationMs: 0,
                        reason: "deferred until after the reboot that \(rebootingFor) asked for"))
                continue
            }
            let pluginLogger = logger.with(plugin: plugin.id)
            let state = stateBox.value
            if plugin.frequency == .perInstance, state.completedPlugins[plugin.id] != nil {
                records.append(
                    PluginRecord(
                        plugin: plugin.id, stage: stage, status: .alreadyDone, at: started, durationMs: 0,
                        reason: "already done for instance \(metadata.instanceID)"))
                continue
            }
            // Progress a plugin saves must not get ahead of what it has written so far.
            let save: @Sendable (JSONValue?) throws -> Void = { [store, dryRun] value in
                guard !dryRun else { return }
                directorySyncs.flush()
                try stateBox.update {
                    $0.pluginData[plugin.id] = value
                    try store.saveInstance($0)
                }
            }
            let context = makeContext(metadata, state.pluginData[plugin.id], save)
                .deferringDirectorySyncs(to: directorySyncs)
            var record = await runOne(plugin, context: context, started: started, logger: pluginLogger)
            record.stage = stage
            records.append(record)
            // Even a failed step may have renamed files into place: they become durable
            // before the next step builds on them.
            directorySyncs.flush()
            guard !dryRun else { continue }
            if record.status == .rebootRequired { rebootingFor = plugin.id }
            do {
                try stateBox.update { state in
                    let before = state
                    switch record.status {
                    case .done, .rebootRequired:
                        state.completedPlugins[plugin.id] = record.at
                        state.pendingPlugins[plugin.id] = nil
                    case .runAgain:
                        state.pendingPlugins[plugin.id] = record.reason ?? ""
                    default:
                        break
                    }
                    // A step that changed nothing (skipped, failed) writes nothing.
                    if state != before { try store.saveInstance(state) }
                }
            } catch {
                pluginLogger.error("could not save state", metadata: ["error": "\(error)"])
            }
        }
        if stage == .local, !dryRun, let bootID {
            do {
                try stateBox.update {
                    $0.localStageBoot = bootID
                    try store.saveInstance($0)
                }
            } catch {
                logger.error("could not save state", metadata: ["error": "\(error)"])
            }
        }
        return records
    }

    private func runOne(_ plugin: any Plugin, context: PluginContext, started: Date, logger: Logger) async
        -> PluginRecord
    {
        await runTyped(plugin, context: context, started: started, logger: logger)
    }

    /// Plan, then (unless a dry run) apply that same plan value.
    private func runTyped<P: Plugin>(_ plugin: P, context: PluginContext, started: Date, logger: Logger) async
        -> PluginRecord
    {
        func elapsed() -> Int { Int(Date().timeIntervalSince(started) * 1000) }
        do {
            switch try await plugin.plan(context) {
            case .skip(let reason):
                logger.info("skipped", metadata: ["reason": "\(reason)"])
                return PluginRecord(
                    plugin: plugin.id, status: .skipped, at: started, durationMs: elapsed(), reason: reason)
            case .apply(let plan) where dryRun:
                return PluginRecord(
                    plugin: plugin.id, status: .wouldApply, at: started, durationMs: elapsed(), changes: plan.changes)
            case .apply(let plan):
                let outcome = try await plugin.apply(plan, context)
                logger.info("applied", metadata: ["outcome": "\(outcome)"])
                switch outcome {
                case .done:
                    return PluginRecord(
                        plugin: plugin.id, status: .done, at: started, durationMs: elapsed(), changes: plan.changes)
                case .runAgainNextBoot(let reason):
                    return PluginRecord(
                        plugin: plugin.id, status: .runAgain, at: started, durationMs: elapsed(), reason: reason)
                case .rebootRequired(let reason):
                    return PluginRecord(
                        plugin: plugin.id, status: .rebootRequired, at: started, durationMs: elapsed(), reason: reason)
                }
            }
        } catch {
            logger.error("failed", metadata: ["error": "\(error)"])
            return PluginRecord(
                plugin: plugin.id, status: .failed, at: started, durationMs: elapsed(), error: "\(error)")
        }
    }

    /// Loads the instance state; an unreadable file is moved aside (kept for inspection)
    /// and the run starts fresh rather than blocking the boot.
    private func loadState(_ instanceID: String) -> InstanceState {
        do {
            return try store.loadInstance(instanceID)
        } catch {
            logger.error("state file unreadable; starting fresh", metadata: ["error": "\(error)"])
            if !dryRun {
                do {
                    let kept = try store.quarantineInstance(instanceID)
                    logger.notice("kept the unreadable state file", metadata: ["path": "\(kept)"])
                } catch {
                    logger.error("could not move the unreadable state file aside", metadata: ["error": "\(error)"])
                }
            }
            return InstanceState(instanceID: instanceID)
        }
    }
}
