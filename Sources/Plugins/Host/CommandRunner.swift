import Foundation

/// The outcome of one command.
public struct CommandResult: Sendable, Equatable {
    public var exitCode: Int32
    public var standardOutput: String
    public var standardError: String

    public init(exitCode: Int32, standardOutput: String = "", standardError: String = "") {
        self.exitCode = exitCode
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Runs programs for plugins.
///
/// Contract: `argv[0]` is a program name or absolute path and every argument is passed
/// as-is (no shell ever sees metadata). Secrets go in `standardInput`, never in argv.
/// Returns the result for any exit code; throws `HostError.commandNotFound` when the
/// program does not exist and `HostError.commandFailed` only when it could not be run.
public protocol CommandRunner: Sendable {
    func run(_ argv: [String], standardInput: Data?) async throws -> CommandResult
}

extension CommandRunner {
    /// Runs and requires exit status 0; the error carries argv (never stdin) and stderr.
    @discardableResult
    public func check(_ argv: [String], standardInput: Data? = nil) async throws -> CommandResult {
        let result = try await run(argv, standardInput: standardInput)
        guard result.exitCode == 0 else {
            throw HostError.commandFailed(
                argv: argv, status: "exited with status \(result.exitCode)",
                stderr: String(result.standardError.prefix(500)).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result
    }

    public func run(_ argv: [String]) async throws -> CommandResult {
        try await run(argv, standardInput: nil)
    }
}
