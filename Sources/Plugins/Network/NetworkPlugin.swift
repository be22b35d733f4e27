import AgentBase
import DataSources
import FoundationEssentials
import HostEffects
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Configures the network from metadata (OpenStack `network_data.json`, EC2 interfaces,
/// cloud-init network config v1/v2, ENI text): matches links to the guest's NICs by MAC (or
/// by name when the source gives no MAC), renders files for the chosen backend
/// (`network_renderer`), disables the image's conflicting configuration reversibly, and
/// on the live system brings up interfaces that are still down.
///
/// Safety: the whole model is validated before anything is written; an invalid one fails
/// the plugin with a message naming the link or network id and the field, and nothing is
/// touched, so the image's own configuration stays in force. Files with the same bytes
/// are not rewritten.
public struct NetworkPlugin: Plugin {
    public let id = "network"
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.local
    public let needs = MetadataNeeds.network

    public init() {}

    /// The files to write and remove, the image's configuration to disable, and (on the
    /// live system) the commands that bring the network up, all decided once.
    public struct Plan: PlannedChanges {
        let prepared: NetworkChangeSet
        let activation: (commands: [[String]], note: String?)?
        public let changes: [String]
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        let prepared: NetworkChangeSet
        switch try NetworkChangeSet.prepare(context) {
        case .skip(let reason): return .skip(reason)
        case .ready(let changes): prepared = changes
        }
        var lines = ["renderer \(prepared.renderer.rawValue) (\(prepared.rendererReason))"]
        lines += prepared.warnings.map { "warning: \($0)" }
        for file in prepared.files {
            guard let old = prepared.changed[file.path] else {
                lines.append("\(file.path): unchanged")
                continue
            }
            lines.append(
                "write \(file.path) (mode \(String(file.mode, radix: 8)))" + (old == nil ? ", new file:" : ", diff:"))
            lines += TextDiff.lines(old: old.map { String(decoding: $0, as: UTF8.self) } ?? "", new: file.text).map {
                "    " + $0
            }
        }
        lines += prepared.stale.map { "remove \($0) (written by an earlier run, no longer needed)" }
        lines += prepared.conflicts.map(\.description)
        if context.liveInterfaces != nil {
            lines += prepared.renames.map { "rename \($0.from) to \($0.to) (if it is down; else at the next boot)" }
        }
        let activation = context.root.isLiveSystem ? prepared.activation(root: context.root, stage: context.stage) : nil
        if let activation {
            lines += activation.commands.map { "run \($0.joined(separator: " "))" }
            if let note = activation.note { lines.append(note) }
        }
        return .apply(Plan(prepared: prepared, activation: activation, changes: lines))
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        let prepared = plan.prepared
        for warning in prepared.warnings { context.logger.warning("network: \(warning)") }
        context.logger.info("network: renderer \(prepared.renderer.rawValue) (\(prepared.rendererReason))")
        if let interfaces = context.liveInterfaces {
            Self.rename(prepared.renames, with: interfaces, logger: context.logger)
        }
        for file in prepared.files where prepared.changed[file.path] != nil {
            try context.writer.makeDirectory(SystemRoot.parentAndName(of: file.path).parent, createOnly: true)
            try context.writer.write(file.contents, to: file.path, mode: file.mode)
            context.logger.info("network: wrote \(file.path)")
        }
        for path in prepared.stale {
            try context.writer.remove(path)
            context.logger.info("network: removed \(path) (no longer needed)")
        }
        for action in prepared.conflicts {
            try ConflictingConfig.perform(action, writer: context.writer)
            context.logger.notice("network: \(action) (reversible; see the README)")
        }
        guard let activation = plan.activation else { return .done }
        if let note = activation.note { context.logger.notice("network: \(note)") }
        for command in activation.commands { try await context.runner.check(command) }
        return .done
    }
}

extension NetworkPlugin {
    /// Renames NICs on the running system before their files are written, so the network
    /// stack finds them under the names the files use when it starts (cloud-init's local
    /// stage does the same). The kernel renames only interfaces that are down; one that is up
    /// (the network stage, the initramfs brought it up) keeps its name until the next boot,
    /// when the rule or `.link` the renderer wrote renames it. Neither stops the plugin.
    static func rename(_ renames: [(from: String, to: String)], with interfaces: any LiveInterfaces, logger: Logger) {
        for (from, to) in renames {
            do {
                try interfaces.rename(from, to: to)
                logger.notice("network: renamed \(from) to \(to), as the metadata names it")
            } catch InterfaceRenameError.up(let name) {
                logger.notice("network: \(name) is up: it becomes \(to) at the next boot, and is configured then")
            } catch {
                logger.warning("network: \(error); \(from) is configured as \(to) from the next boot")
            }
        }
    }
}

/// The network plugin's failures; each names what and where.
public enum NetworkPluginError: Error, CustomStringConvertible {
    case invalid(NetworkConfigError, source: String)

    public var description: String {
        switch self {
        case .invalid(let error, let source): "network description from \(source) refused, nothing written: \(error)"
        }
    }
}
