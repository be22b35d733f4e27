import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// Writes the metadata's injected ("personality") files, each atomically at its path
/// under the root, mode 0600 owned by root (cloud-init uses 0660; these files often hold
/// credentials, so the agent is stricter).
///
/// Paths were checked by the source; they are checked again here (defence in depth) and
/// `AtomicFileWriter` refuses symbolic links on the way, so a file can never land outside
/// the root. Refused entries are reported as a failure naming each path, after the good
/// ones are written: nothing is written for them.
public struct InjectedFilesPlugin: Plugin {
    public let id = "files"
    public let frequency = PluginFrequency.perInstance
    public let stage = PluginStage.network
    public let needs = MetadataNeeds.injectedFiles

    public init() {}

    /// The files to write and the ones the source refused.
    public struct Plan: PlannedChanges {
        let files: [InjectedFile]
        let refused: [RefusedFile]
        public var changes: [String] {
            files.map { "write \($0.path) (\($0.contents.count) bytes)" }
                + refused.map { "refuse \($0.path): \($0.reason)" }
        }
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        let metadata = context.metadata
        guard !metadata.files.isEmpty || !metadata.refusedFiles.isEmpty else {
            return .skip("metadata has no injected files")
        }
        return .apply(Plan(files: metadata.files, refused: metadata.refusedFiles))
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        var refused = plan.refused
        for file in plan.files {
            do {
                try FileWriting.write(file.contents, to: file.path, mode: 0o600, context: context)
                context.logger.info(
                    "wrote injected file", metadata: ["path": "\(file.path)", "bytes": "\(file.contents.count)"])
            } catch {
                refused.append(RefusedFile(path: file.path, reason: "\(error)"))
            }
        }
        guard refused.isEmpty else { throw InjectedFilesError(refused: refused) }
        return .done
    }
}

public struct InjectedFilesError: Error, CustomStringConvertible {
    public var refused: [RefusedFile]
    public var description: String {
        "refused \(refused.count) injected file(s): "
            + refused.map { "\(HostnameValidator.preview($0.path)) (\($0.reason))" }.joined(separator: "; ")
    }
}
