import AgentBase
import ArgumentParser
import DataSources
import FoundationEssentials
import HostEffects
import Logging
import Plugins

#if canImport(Glibc)
import Glibc
#endif

extension GlobalOptions {
    var systemRoot: SystemRoot { SystemRoot(root ?? "/") }

    /// Loads the configuration; a configuration error ends the process with 64 and the
    /// message naming file, line and key.
    func loadConfig() throws -> AgentConfig {
        do {
            var config = try AgentConfig.load(path: config)
            if let logLevel {
                guard let level = Logger.Level(rawValue: logLevel) else {
                    throw ValidationError(
                        "--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
                }
                config.run.logLevel = level
            }
            return config
        } catch let error as ConfigError {
            printError("guest-agent: \(error)")
            throw ExitCode(AgentExitCode.usage)
        }
    }

    /// The logger for this process: standard error plus `log_file` (under the root).
    func makeLogger(_ config: AgentConfig) -> Logger {
        let sink = LogSink(file: openLogFile(config), fileName: config.run.logFile)
        let level = config.run.logLevel
        return Logger(label: "guest-agent") { label in AgentLogHandler(label: label, level: level, sink: sink) }
    }

    /// The root's run lock (see `RunLock`); exit 75 when another run keeps it past
    /// `run_lock_timeout`, 1 when the state directory cannot be used (e.g. a symlink).
    func lockRoot(_ config: AgentConfig) async throws -> RunLock {
        do {
            return try await RunLock.acquire(
                store: StateStore(root: systemRoot, directory: config.run.stateDir),
                timeout: config.run.runLockTimeout)
        } catch let error as RunLockError {
            printError("guest-agent: \(error)")
            throw ExitCode(AgentExitCode.busy)
        } catch {
            printError("guest-agent: cannot lock the state directory: \(error)")
            throw ExitCode(AgentExitCode.pluginFailed)
        }
    }

    /// `log_file` opened for append under the root, or nil. A log file that cannot be
    /// opened (a symbolic link, a read-only or full disk) is reported and skipped: logging
    /// never stops a run.
    func openLogFile(_ config: AgentConfig) -> Int32? {
        guard !config.run.logFile.isEmpty else { return nil }
        let writer = AtomicFileWriter(root: systemRoot)
        do {
            let directory = SystemRoot.parentAndName(of: config.run.logFile).parent
            try writer.makeDirectory(directory, mode: 0o755, createOnly: true)
            return try writer.openForAppend(config.run.logFile)
        } catch {
            printError("guest-agent: not logging to log_file \(config.run.logFile): \(error)")
            return nil
        }
    }
}

/// One line on standard error; never traps (a closed or broken stderr is ignored).
func printError(_ message: String) {
    _ = LogSink.writeAll(STDERR_FILENO, Array((message + "\n").utf8))
}
