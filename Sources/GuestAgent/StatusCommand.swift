import AgentBase
import ArgumentParser
import DataSources
import FoundationEssentials
import Plugins

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show what the last run did, per plugin.",
        discussion: """
            Without --wait: exit 0 when a run is recorded, 1 when none is. With --wait: blocks until \
            this boot's stages have finished (no run holds the run lock, and the last run is from this \
            boot and includes the network stage), then exits with that run's code: 0 done, 1 a plugin \
            failed or must run again, 2 no metadata source; 75 when not finished within --timeout. \
            64: usage or configuration error.
            """)

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: .long, help: "Wait until this boot's stages have finished (like cloud-init status --wait).")
    var wait = false

    @Option(name: .long, help: "With --wait: give up after this many seconds (exit 75, still running).")
    var timeout: Double?

    /// The longest `--timeout` accepted: one year, in seconds.
    static let longestTimeout: Double = 365 * 24 * 3600

    /// How often `--wait` looks again: short, so a script waiting on the boot goes on at once.
    static let pollInterval = Duration.milliseconds(250)

    func validate() throws {
        guard let timeout else { return }
        guard wait else { throw ValidationError("--timeout needs --wait") }
        // Bounded so that the deadline arithmetic cannot overflow (a year is plenty).
        guard timeout >= 0, timeout <= Self.longestTimeout else {
            throw ValidationError(
                "--timeout must be a number of seconds from 0 to \(Int(Self.longestTimeout)) (got \(timeout))")
        }
    }

    func run() async throws {
        let config = try options.loadConfig()
        let store = StateStore(root: options.systemRoot, directory: config.run.stateDir)
        let (summary, progress) = wait ? try await waitForBoot(store) : try Self.observe(store)
        guard let summary else {
            if wait {
                print(json ? StatusReport.json(nil, progress: progress) : StatusReport.progressLine(progress))
                throw ExitCode(progress.exitCode)
            }
            // state_dir passed `SystemRoot.problem(with:)` when the configuration was read.
            let directory = try options.systemRoot.resolve(config.run.stateDir)
            printError("guest-agent: no run recorded in \(directory)")
            throw ExitCode(1)
        }
        let fingerprints = StatusReport.hostKeyFingerprints(summary, store: store)
        if json {
            print(StatusReport.json(summary, hostKeyFingerprints: fingerprints, progress: progress))
        } else {
            print(
                StatusReport.text(summary, hostKeyFingerprints: fingerprints) + StatusReport.progressLine(progress),
                terminator: "")
        }
        // Without --wait the exit code stays what it always was: 0 when a run is recorded.
        if wait, progress.exitCode != 0 { throw ExitCode(progress.exitCode) }
    }

    /// Looks every `pollInterval` until this boot has finished or `timeout` has passed.
    private func waitForBoot(_ store: StateStore) async throws -> (RunSummary?, BootProgress) {
        let deadline = timeout.map { ContinuousClock.now + .milliseconds(Int($0 * 1000)) }
        while true {
            let observed = try Self.observe(store)
            if case .finished = observed.1 { return observed }
            if let deadline, ContinuousClock.now >= deadline { return observed }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    /// The lock first, then the summary: a run that ends in between has already saved it.
    private static func observe(_ store: StateStore) throws -> (RunSummary?, BootProgress) {
        let runInProgress = RunLock.isHeld(store: store)
        let summary = try store.loadSummary()
        return (
            summary, BootProgress.of(summary: summary, currentBoot: BootID.current(), runInProgress: runInProgress)
        )
    }
}
