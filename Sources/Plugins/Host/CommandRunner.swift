import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The outcome of one command.
public struct CommandResult: Sendable, Equatable {
    public var exitCode: Int32
    public var standardOutput: String
    public var standardError: String
    /// The command ran past `CommandOptions.timeout` and its process group was killed
    /// (`exitCode` is then 128 + SIGKILL).
    public var timedOut: Bool

    public init(exitCode: Int32, standardOutput: String = "", standardError: String = "", timedOut: Bool = false) {
        self.exitCode = exitCode
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.timedOut = timedOut
    }
}

/// How to run one command, beyond its argv and standard input.
public struct CommandOptions: Sendable, Equatable {
    /// Past this, the command's whole process group is killed and the result says
    /// `timedOut`. Nil: no limit (the tools the agent runs finish on their own).
    public var timeout: Duration?
    /// Working directory, as a path on the machine the agent runs on. Nil: the agent's own.
    public var workingDirectory: String?
    /// The complete environment of the command. Nil: the agent's own environment.
    public var environment: [String: String]?
    /// A host path: standard output and standard error both go to this file (created
    /// 0600 or truncated, never through a symbolic link), interleaved as a terminal shows
    /// them, with no size limit, and the result's output strings are empty. Nil: collected.
    /// For user data scripts, whose output may be far larger than any tool's.
    public var outputFile: String?

    public init(
        timeout: Duration? = nil, workingDirectory: String? = nil, environment: [String: String]? = nil,
        outputFile: String? = nil
    ) {
        self.timeout = timeout
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.outputFile = outputFile
    }
}

/// Runs programs for plugins.
///
/// Contract: `argv[0]` is a program name, looked up in the standard directories of the
/// target root (`ToolLocator`), or an absolute path; every argument is passed as-is (no
/// shell ever sees metadata). Secrets go in `standardInput`, never in argv. Each command
/// runs in a session (process group) of its own, so a timeout kills everything it started.
/// Returns the result for any exit code; throws `HostError.commandNotFound` when the
/// program does not exist and `HostError.commandFailed` only when it could not be run.
public protocol CommandRunner: Sendable {
    func run(_ argv: [String], standardInput: Data?, options: CommandOptions) async throws -> CommandResult
}

extension CommandRunner {
    /// Runs and requires exit status 0; the error carries argv (never stdin) and stderr.
    @discardableResult
    public func check(_ argv: [String], standardInput: Data? = nil, options: CommandOptions = CommandOptions())
        async throws -> CommandResult
    {
        let result = try await run(argv, standardInput: standardInput, options: options)
        guard result.exitCode == 0, !result.timedOut else {
            throw HostError.commandFailed(
                argv: argv, status: result.timedOut ? "timed out" : "exited with status \(result.exitCode)",
                stderr: String(result.standardError.prefix(500)).trimmingWhitespaceAndNewlines())
        }
        return result
    }

    public func run(_ argv: [String], standardInput: Data?) async throws -> CommandResult {
        try await run(argv, standardInput: standardInput, options: CommandOptions())
    }

    public func run(_ argv: [String]) async throws -> CommandResult {
        try await run(argv, standardInput: nil, options: CommandOptions())
    }
}
