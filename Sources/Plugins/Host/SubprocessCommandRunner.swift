import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// `CommandRunner` over swift-subprocess: argv arrays, bounded output, no shell.
public struct SubprocessCommandRunner: CommandRunner {
    /// Output beyond this is an error rather than unbounded memory.
    public var outputLimit: Int

    public init(outputLimit: Int = 1 << 20) {
        self.outputLimit = outputLimit
    }

    public func run(_ argv: [String], standardInput: Data?) async throws -> CommandResult {
        guard let program = argv.first else { throw HostError.commandNotFound("") }
        let executable: Executable = program.hasPrefix("/") ? .path(FilePath(program)) : .name(program)
        do {
            let result = try await Subprocess.run(
                executable,
                arguments: Arguments(Array(argv.dropFirst())),
                input: .data(standardInput ?? Data()),
                output: .string(limit: outputLimit),
                error: .string(limit: outputLimit)
            )
            let code: Int32
            switch result.terminationStatus {
            case .exited(let status): code = Int32(status)
            case .signaled(let signal): code = 128 + Int32(signal)
            }
            return CommandResult(exitCode: code, standardOutput: result.standardOutput,
                                 standardError: result.standardError)
        } catch {
            if Self.lookUp(program) == nil { throw HostError.commandNotFound(program) }
            throw HostError.commandFailed(argv: argv, status: "could not be run", stderr: "\(error)")
        }
    }

    /// Finds `name` on PATH (or checks an absolute path).
    public static func lookUp(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        return nil
    }
}
