import AgentBase
import DataSources
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Grows the partition, LVM volumes and filesystem holding `/` (or `resize_mount_points`)
/// to fill their disk, at every boot: a boot where nothing changed costs reading
/// mountinfo, a few sysfs files and a superblock, and runs no command.
///
/// With `--root DIR` it grows the filesystem mounted exactly at DIR (a mounted image);
/// a root that is not a mount point is skipped, never the filesystem that contains it.
public struct ResizePlugin: Plugin {
    public let id = "resize"
    public let frequency = PluginFrequency.everyBoot
    public let stage = PluginStage.local
    public let settings: ResizeSettings

    /// `settings` other than `.live` are for tests (fixture trees, a loop device).
    public init(settings: ResizeSettings = .live) {
        self.settings = settings
    }

    /// Each configured mount point with its target and steps, or why it is skipped.
    func work(_ context: PluginContext) throws -> [(target: ResizeTarget?, steps: [ResizeStep], skip: String?)] {
        let detector = ResizeDetector(settings: settings)
        let entries: [MountInfoEntry]
        do {
            entries = try detector.mountEntries()
        } catch {
            return [(nil, [], "\(error): no mount information")]
        }
        let state = try context.savedState(as: ResizeState.self) ?? ResizeState()
        return try context.config.resizeMountPoints.map { guestPath in
            let hostPath = Self.canonical(try context.root.resolve(guestPath))
            switch detector.detect(mountPoint: hostPath, entries: entries) {
            case .skip(_, let reason):
                return (nil, [], reason)
            case .target(let target):
                let steps = ResizeStep.plan(
                    for: target, pending: state.pending[hostPath] != nil, grownTo: state.grownTo[hostPath])
                return (target, steps, steps.isEmpty ? Self.settledReason(target) : nil)
            }
        }
    }

    /// The path as mountinfo spells mount points: symbolic links resolved (`/tmp` may be
    /// one), no doubled or trailing slash.
    static func canonical(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        return "/" + SystemRoot.components(of: path).joined(separator: "/")
    }

    static func settledReason(_ target: ResizeTarget) -> String {
        var parts = ["\(target.mountPoint): nothing to grow"]
        if let partition = target.partition {
            parts.append("\(partition.device) has less than 1 MiB after it")
        } else if target.lvm == nil {
            parts.append("\(target.filesystemType) is on the whole disk \(target.filesystemDevice)")
        }
        parts.append("the \(target.filesystemType) filesystem fills its device")
        return parts.joined(separator: "; ")
    }

    /// Each mount point's target and steps (or why it is skipped), and the saved state they
    /// were decided from.
    public struct Plan: PlannedChanges {
        let work: [(target: ResizeTarget?, steps: [ResizeStep], skip: String?)]
        let state: ResizeState
        public var changes: [String] {
            work.flatMap { item in item.target.map { target in item.steps.map { $0.describe(target) } } ?? [] }
        }
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        let plan = Plan(work: try work(context), state: try context.savedState(as: ResizeState.self) ?? ResizeState())
        if plan.changes.isEmpty { return .skip(plan.work.compactMap(\.skip).joined(separator: "; ")) }
        return .apply(plan)
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        let executor = ResizeExecutor(runner: context.runner, tools: context.tools)
        var state = plan.state
        var unfinished: [String] = []
        var failures: [String] = []
        for item in plan.work {
            guard let target = item.target else {
                if let reason = item.skip { context.logger.info("resize: \(reason)") }
                continue
            }
            if item.steps.isEmpty {
                state.pending[target.mountPoint] = nil
                context.logger.info("resize: \(item.skip ?? "nothing to grow")")
                continue
            }
            var grownBelow = false
            var failed = false
            for step in item.steps {
                do {
                    let note = try await executor.run(step)
                    context.logger.info("resize: \(step.describe(target))\(note.map { " (\($0))" } ?? "")")
                    grownBelow = true
                } catch {
                    failed = true
                    if grownBelow || state.pending[target.mountPoint] != nil {
                        // The lower layer is bigger now; the next boot finishes the job.
                        let message =
                            "\(target.mountPoint): \(Self.lowerLayer(item.steps)) grown, but \(error); the next boot tries again"
                        state.pending[target.mountPoint] = "\(error)"
                        unfinished.append(message)
                    } else {
                        failures.append("\(target.mountPoint): \(error)")
                    }
                    break
                }
            }
            if !failed {
                state.pending[target.mountPoint] = nil
                // The filesystem now fills the device as it was before any partition step;
                // re-read sysfs for the size it was grown to.
                let detector = ResizeDetector(settings: settings)
                if case .target(let after)? = try? detector.detect(
                    mountPoint: target.mountPoint, entries: detector.mountEntries())
                {
                    state.grownTo[target.mountPoint] = after.filesystemDeviceBytes
                }
            }
        }
        try context.saveState(state.isEmpty ? nil : state)
        if !failures.isEmpty { throw ResizeMountPointsError(messages: failures + unfinished) }
        if !unfinished.isEmpty { return .runAgainNextBoot(unfinished.joined(separator: "; ")) }
        return .done
    }

    private static func lowerLayer(_ steps: [ResizeStep]) -> String {
        switch steps.first {
        case .growPartition(let space): "partition \(space.device)"
        case .resizePhysicalVolume(let device): "physical volume \(device)"
        default: "the device"
        }
    }
}

/// One or more mount points could not be grown.
struct ResizeMountPointsError: Error, CustomStringConvertible {
    var messages: [String]
    var description: String { messages.joined(separator: "; ") }
}
