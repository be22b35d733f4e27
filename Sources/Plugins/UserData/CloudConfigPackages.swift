import AgentBase
import FoundationEssentials
import HostEffects

/// Runs a cloud-config part's `package_update`, `package_upgrade` and `packages` with the
/// image's own package manager (`PackageManager.find`), as cloud-init's
/// `package_update_upgrade_install` module does: refresh the lists, upgrade, install.
///
/// Each command runs like a `runcmd` entry (`ScriptRunner.runCommand`): argv only, inside the
/// root (chroot when it is not `/`), the fixed environment, its whole output in
/// `state_dir/userdata/output/part-N-packages-STEP.log`, killed with its process group after
/// `userdata_script_timeout`. A step that fails does not stop the next (cloud-init runs each
/// and raises at the end): an install may still work from lists a failed refresh left.
/// Once per instance: the part's record keeps it from running at a later boot.
struct CloudConfigPackages: Sendable {
    let context: PluginContext

    /// Runs what `request` asks; returns one "key: what failed" line per failed step (none
    /// when everything succeeded), for the part's failure.
    func apply(_ request: CloudConfig.PackageRequest, partIndex: String) async -> [String] {
        guard !request.isEmpty else { return [] }
        guard let manager = PackageManager.find(in: context.root) else {
            return ["\(request.keys.joined(separator: ", ")): \(PackageManagerError.none(root: rootName))"]
        }
        var failures: [String] = []
        for command in manager.commands(for: request) {
            do {
                try await run(command, partIndex: partIndex)
            } catch let error as PackageManagerError {
                failures.append("\(command.key): \(error)")
            } catch {
                // Could not be started at all (not root under --root, no chroot): the next
                // steps could not be either, so they are named rather than tried.
                var keys: [String] = []
                for later in manager.commands(for: request).drop(while: { $0 != command })
                where !keys.contains(later.key) {
                    keys.append(later.key)
                }
                failures.append("\(keys.joined(separator: ", ")): \(error)")
                break
            }
        }
        return failures
    }

    /// One step; a non-zero exit or a timeout is a `PackageManagerError` naming the manager,
    /// the step and its last output lines.
    func run(_ command: PackageManager.Command, partIndex: String) async throws {
        context.logger.info(
            "cloud-config: running the package manager",
            metadata: ["key": "\(command.key)", "argv": "\(command.argv.joined(separator: " "))"])
        let run = try await ScriptRunner(context: context, timeout: context.config.userData.userdataScriptTimeout)
            .runCommand(
                command.argv, fileName: "part-\(partIndex)-packages-\(command.step)", environment: command.environment)
        context.logger.info(
            "cloud-config: package manager ran",
            metadata: [
                "key": "\(command.key)", "exit": "\(run.exitCode)", "timed_out": "\(run.timedOut)",
                "output": "\(run.outputFile)", "last_lines": "\(run.tail.joined(separator: " | "))",
            ])
        let what = command.what
        if run.timedOut {
            throw PackageManagerError.failed(
                what, "was killed after \(context.config.userData.userdataScriptTimeout) s (userdata_script_timeout)",
                tail: run.tail, output: run.outputFile)
        }
        guard run.exitCode == 0 else {
            throw PackageManagerError.failed(
                what, "exited with status \(run.exitCode)", tail: run.tail, output: run.outputFile)
        }
    }

    /// What `--dry-run` says the part would run: each command, or why none can.
    static func plan(_ request: CloudConfig.PackageRequest, root: SystemRoot) -> String? {
        guard !request.isEmpty else { return nil }
        guard let manager = PackageManager.find(in: root) else {
            return "\(request.keys.joined(separator: ", ")) would fail: "
                + "\(PackageManagerError.none(root: root.isLiveSystem ? "/" : root.hostPath))"
        }
        return "run "
            + manager.commands(for: request).map { command in
                (command.environment.map { "\($0.key)=\($0.value) " }.sorted().joined())
                    + command.argv.joined(separator: " ")
            }.joined(separator: "; then ")
    }

    private var rootName: String { context.root.isLiveSystem ? "/" : context.root.hostPath }
}

/// A package key that could not be done: named by the applier with its key.
enum PackageManagerError: Error, CustomStringConvertible, Equatable {
    /// The root has none of the managers the agent knows.
    case none(root: String)
    /// The manager ran and failed (`what`: "apt-get install"; `how`: the exit or the timeout).
    case failed(String, String, tail: [String], output: String)

    var description: String {
        switch self {
        case .none(let root):
            "no package manager in the image: none of "
                + PackageManager.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                + " in \(ToolLocator.directories.joined(separator: ", ")) of the root \(root)"
        case .failed(let what, let how, let tail, let output):
            "\(what) \(how)" + (tail.isEmpty ? "" : "; last output: " + tail.joined(separator: " | "))
                + " (whole output in \(output))"
        }
    }
}
