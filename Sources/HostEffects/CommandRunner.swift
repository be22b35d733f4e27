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
    /// The command closed its standard input (or exited) before all of the bytes given to it
    /// were written: it cannot have read them all. False when everything was written, which
    /// says nothing about what the command did with it.
    public var standardInputUnread: Bool

    public init(
        exitCode: Int32, standardOutput: String = "", standardError: String = "", timedOut: Bool = false,
        standardInputUnread: Bool = false
    ) {
        self.exitCode = exitCode
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.timedOut = timedOut
        self.standardInputUnread = standardInputUnread
    }

    /// Why this result is not a success, or nil: a non-zero status, a timeout, or exit 0
    /// without reading all of its standard input (the input was what it was asked to act on).
    public var failure: String? {
        if timedOut { return "timed out" }
        if exitCode != 0 { return "exited with status \(exitCode)" }
        if standardInputUnread { return "exited with status 0 without reading all of its standard input" }
        return nil
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
/// Returns the result for any exit code, also when the command exits or closes its standard
/// input without reading it (`standardInputUnread`); throws `HostError.commandNotFound` when
/// the program does not exist and `HostError.commandFailed` only when it could not be run.
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
        if let failure = result.failure {
            throw HostError.commandFailed(
                argv: argv, status: failure,
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
