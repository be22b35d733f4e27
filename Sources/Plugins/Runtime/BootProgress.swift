import FoundationEssentials

/// Whether this boot's stages have finished, as `guest-agent status --wait` decides it.
///
/// Finished means: no run holds the root's run lock, and the last summary belongs to this
/// boot (kernel boot id) and includes the network stage. Why the network stage: the local
/// unit runs first and ends before the network unit has even started, so a summary with only
/// the local stage is not the end of the boot; every boot runs the network stage last.
public enum BootProgress: Equatable, Sendable {
    /// The boot's stages are done; `exitCode` is the run's (0, 1 or 2: `AgentExitCode`).
    case finished(exitCode: Int32)
    /// A run is in progress, or this boot's stages have not all run yet.
    case running(reason: String)

    /// Decides from the last summary, the current boot id (nil when the kernel gives none:
    /// then the summary's boot cannot be checked and is taken as this boot's) and whether a
    /// run holds the lock.
    public static func of(summary: RunSummary?, currentBoot: String?, runInProgress: Bool) -> BootProgress {
        if runInProgress { return .running(reason: "a guest-agent run holds the run lock") }
        guard let summary else { return .running(reason: "no run recorded yet") }
        if let currentBoot, summary.bootID != currentBoot {
            return .running(reason: "the last run was in an earlier boot; this boot's stages have not run yet")
        }
        if let stages = summary.stages, !stages.contains(where: { $0.stage == .network }) {
            return .running(reason: "the local stage ran in this boot; the network stage has not run yet")
        }
        return .finished(exitCode: summary.exitCode)
    }

    /// `status --wait`'s exit code: the run's own (0 done, 1 a plugin failed or must run
    /// again, 2 no metadata source), or 75 when not finished.
    public var exitCode: Int32 {
        switch self {
        case .finished(let code): code
        case .running: AgentExitCode.notFinished
        }
    }

    /// `done`, `failed` or `running` (the `bootStatus` of `status --json`).
    public var name: String {
        switch self {
        case .finished(let code): code == AgentExitCode.success ? "done" : "failed"
        case .running: "running"
        }
    }

    /// Why it is still running; nil when finished.
    public var reason: String? {
        if case .running(let reason) = self { return reason }
        return nil
    }
}
