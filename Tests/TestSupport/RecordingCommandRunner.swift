import Foundation
import HostEffects
import Plugins

/// A `CommandRunner` that records every argv (and stdin) and answers from a script of
/// canned results, so plugin tests can assert exactly what would be run.
public final class RecordingCommandRunner: CommandRunner, @unchecked Sendable {
    public struct Call: Sendable, Equatable {
        public var argv: [String]
        public var standardInput: Data?
        public var options = CommandOptions()
    }

    private let lock = NSLock()
    private var recorded: [Call] = []
    private let respond: @Sendable ([String]) -> CommandResult

    public init(respond: @escaping @Sendable ([String]) -> CommandResult = { _ in CommandResult(exitCode: 0) }) {
        self.respond = respond
    }

    public var calls: [Call] { lock.withLock { recorded } }

    public func run(_ argv: [String], standardInput: Data?, options: CommandOptions) async throws -> CommandResult {
        lock.withLock { recorded.append(Call(argv: argv, standardInput: standardInput, options: options)) }
        return respond(argv)
    }
}
