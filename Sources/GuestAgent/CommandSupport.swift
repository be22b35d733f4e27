import ArgumentParser
import Foundation
import Logging
import Plugins

extension GlobalOptions {
    var systemRoot: SystemRoot { SystemRoot(root ?? "/") }

    /// Loads the configuration; a configuration error ends the process with 64 and the
    /// message naming file, line and key.
    func loadConfig() throws -> AgentConfig {
        do {
            var config = try AgentConfig.load(path: config)
            if let logLevel {
                guard Logger.Level(rawValue: logLevel) != nil else {
                    throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
                }
                config.logLevel = logLevel
            }
            return config
        } catch let error as ConfigError {
            printError("guest-agent: \(error)")
            throw ExitCode(AgentExitCode.usage)
        }
    }

    /// The logger for this process: standard error plus `log_file` (under the root).
    func makeLogger(_ config: AgentConfig) -> Logger {
        let file = config.logFile.isEmpty ? nil : systemRoot.path(config.logFile)
        let sink = LogSink(filePath: file)
        let level = Logger.Level(rawValue: config.logLevel) ?? .info
        return Logger(label: "guest-agent") { label in AgentLogHandler(label: label, level: level, sink: sink) }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
