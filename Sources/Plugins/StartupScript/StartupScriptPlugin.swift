import AgentBase
import DataSources
import FoundationEssentials

/// Runs the platform's startup script (`InstanceMetadata.startupScript`: GCE's
/// `startup-script` attribute) as root at every boot, last, after the user data: what
/// Google's guest environment does (`google-startup-scripts.service` runs
/// `google_metadata_script_runner startup` at each boot, once the instance is up).
///
/// The script runs as user data scripts do (`ScriptRunner`: a 0700 file under the state
/// directory, argv only, chroot under `--root`, output kept in a root-only file, bounded by
/// `userdata_script_timeout`); one without a `#!` line runs by `/bin/bash`, as Google's
/// runner starts every script with `/bin/bash -c FILE`. A non-zero exit fails this plugin,
/// naming the status and the last lines of output; the next boot runs it again anyway.
///
/// `startup-script-url` is not fetched (it names a Cloud Storage object, which needs the
/// instance's service account token): when given, this plugin fails saying so, after
/// running the `startup-script` beside it if there is one.
public struct StartupScriptPlugin: Plugin {
    public let id = "startup_script"
    public let frequency = PluginFrequency.everyBoot
    public let stage = PluginStage.network

    public init() {}

    public struct Plan: PlannedChanges {
        let script: StartupScript
        public let changes: [String]
    }

    public func plan(_ context: PluginContext) async throws -> PlanDecision<Plan> {
        guard let script = context.metadata.startupScript else {
            return .skip("the platform gives no startup script")
        }
        var changes: [String] = []
        if let content = script.content {
            let interpreter = Shebang(content)?.interpreter ?? script.interpreter + " (it has no #! line)"
            changes.append("run the \(script.origin) (\(content.count) bytes) with \(interpreter)")
        }
        if let url = script.unfetchedURL {
            changes.append("not fetch startup-script-url \(TextPreview.line(url, limit: 200)): not supported")
        }
        return .apply(Plan(script: script, changes: changes))
    }

    public func apply(_ plan: Plan, _ context: PluginContext) async throws -> PluginOutcome {
        let script = plan.script
        if let content = script.content {
            let run = try await ScriptRunner(context: context, timeout: context.config.userData.userdataScriptTimeout)
                .run(
                    content, fileName: "startup-script", fallback: Shebang(interpreter: script.interpreter))
            context.logger.info(
                "startup script ran",
                metadata: [
                    "origin": "\(script.origin)", "exit": "\(run.exitCode)", "timed_out": "\(run.timedOut)",
                    "output": "\(run.outputFile)",
                ])
            let tail = run.tail.isEmpty ? "" : "; last output: " + run.tail.joined(separator: " | ")
            if run.timedOut {
                throw StartupScriptError.failed(
                    "the \(script.origin) was killed after \(context.config.userData.userdataScriptTimeout) s "
                        + "(userdata_script_timeout)\(tail); its output is in \(run.outputFile)")
            }
            if run.exitCode != 0 {
                throw StartupScriptError.failed(
                    "the \(script.origin) exited with status \(run.exitCode)\(tail); its output is in \(run.outputFile)"
                )
            }
        }
        if let url = script.unfetchedURL {
            throw StartupScriptError.failed(
                "startup-script-url \(TextPreview.line(url, limit: 200)) was not fetched: "
                    + "the agent does not fetch startup scripts from URLs; put the script in startup-script")
        }
        return .done
    }
}

/// Why the startup script plugin failed, in words for the run record.
enum StartupScriptError: Error, CustomStringConvertible, Equatable {
    case failed(String)

    var description: String {
        switch self {
        case .failed(let why): why
        }
    }
}
