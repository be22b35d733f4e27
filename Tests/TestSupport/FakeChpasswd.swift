import Foundation
import HostEffects
import Plugins

/// A `CommandRunner` that plays `chpasswd --encrypted --root ROOT` without root: it reads
/// `user:hash` from standard input and writes the hash into ROOT/etc/shadow. Every call
/// is recorded.
public final class FakeChpasswd: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [RecordingCommandRunner.Call] = []
    /// Exit code chpasswd reports (non-zero: the shadow file is left alone).
    public var exitCode: Int32 = 0
    /// When set, this is written into the shadow entry instead of the hash chpasswd was
    /// given, and it still exits 0: a tool (or site wrapper) that stores something else.
    public var storedHash: String?

    public init() {}

    public var calls: [RecordingCommandRunner.Call] { lock.withLock { recorded } }

    public func run(_ argv: [String], standardInput: Data?, options: CommandOptions) async throws -> CommandResult {
        lock.withLock {
            recorded.append(RecordingCommandRunner.Call(argv: argv, standardInput: standardInput, options: options))
        }
        guard argv.first == "chpasswd", exitCode == 0 else {
            return CommandResult(exitCode: exitCode, standardError: "chpasswd: failure")
        }
        guard let rootIndex = argv.firstIndex(of: "--root"), rootIndex + 1 < argv.count,
            let input = standardInput.map({ String(decoding: $0, as: UTF8.self) })
        else { return CommandResult(exitCode: 1) }
        let shadowPath = argv[rootIndex + 1] + "/etc/shadow"
        let line = input.trimmingCharacters(in: .newlines)
        guard let colon = line.firstIndex(of: ":") else { return CommandResult(exitCode: 1) }
        let user = String(line[..<colon])
        let hash = storedHash ?? String(line[line.index(after: colon)...])
        let shadow = (try? String(contentsOfFile: shadowPath, encoding: .utf8)) ?? ""
        let updated =
            shadow.split(separator: "\n").map { entry -> String in
                var fields = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                if fields.first == user && fields.count > 1 { fields[1] = hash }
                return fields.joined(separator: ":")
            }.joined(separator: "\n") + "\n"
        try updated.write(toFile: shadowPath, atomically: true, encoding: .utf8)
        return CommandResult(exitCode: 0)
    }
}
