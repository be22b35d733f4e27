import FoundationEssentials
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif
#endif

/// `CommandRunner` over swift-subprocess: argv arrays, bounded output, no shell, programs
/// found under the target root, a session per command so a timeout can kill all of it.
public struct SubprocessCommandRunner: CommandRunner {
    /// Where bare program names are looked up.
    public var tools: ToolLocator
    /// Output beyond this is an error rather than unbounded memory.
    public var outputLimit: Int

    public init(tools: ToolLocator, outputLimit: Int = 1 << 20) {
        self.tools = tools
        self.outputLimit = outputLimit
    }

    public func run(_ argv: [String], standardInput: Data?, options: CommandOptions) async throws -> CommandResult {
        guard let program = argv.first else { throw HostError.commandNotFound("") }
        guard let path = tools.find(program) else { throw HostError.commandNotFound(program) }
        Self.ignoreBrokenPipes()
        var platform = PlatformOptions()
        // Why: a session of its own makes the command a process group leader, so the kill on
        // timeout reaches everything it started and never the agent itself.
        platform.createSession = true
        platform.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        let environment: Environment =
            options.environment.map {
                .custom(Dictionary(uniqueKeysWithValues: $0.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
            } ?? .inherit
        let input = standardInput ?? Data()
        let launch: @Sendable () async throws -> CommandResult = { [outputLimit, platform] in
            if let outputFile = options.outputFile {
                let descriptor = open(outputFile, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else { throw HostError.io(path: outputFile, operation: "open", errno: errno) }
                defer { close(descriptor) }
                let result = try await Subprocess.run(
                    .path(FilePath(path)), arguments: Arguments(Array(argv.dropFirst())), environment: environment,
                    workingDirectory: options.workingDirectory.map { FilePath($0) }, platformOptions: platform,
                    input: .inputWriter,
                    output: .fileDescriptor(FileDescriptor(rawValue: descriptor), closeAfterSpawningProcess: false),
                    error: .combinedWithOutput
                ) { execution in await Self.feed(input, to: execution.standardInputWriter) }
                return CommandResult(
                    exitCode: Self.code(result.terminationStatus), standardInputUnread: !result.closureResult)
            }
            let result = try await Subprocess.run(
                .path(FilePath(path)),
                arguments: Arguments(Array(argv.dropFirst())),
                environment: environment,
                workingDirectory: options.workingDirectory.map { FilePath($0) },
                platformOptions: platform,
                input: .inputWriter,
                output: .string(limit: outputLimit),
                error: .string(limit: outputLimit)
            ) { execution in await Self.feed(input, to: execution.standardInputWriter) }
            return CommandResult(
                exitCode: Self.code(result.terminationStatus), standardOutput: result.standardOutput,
                standardError: result.standardError, standardInputUnread: !result.closureResult)
        }
        let attempt: @Sendable () async throws -> CommandResult = { try await Self.retryingBusyProgram(launch) }
        do {
            guard let timeout = options.timeout else { return try await attempt() }
            return try await Self.race(attempt, against: timeout)
        } catch let error as HostError {
            throw error
        } catch {
            throw HostError.commandFailed(argv: argv, status: "could not be run", stderr: "\(error)")
        }
    }

    /// How long a launch refused with ETXTBSY is retried before it is the command's failure.
    static let busyProgramPatience = Duration.seconds(2)

    /// Runs `launch`, again while the kernel refuses the program with ETXTBSY ("Text file busy"),
    /// for at most `busyProgramPatience`.
    ///
    /// Why: execve refuses a file that any process holds open for writing. A script just
    /// written (user data's scripts, a test's stand-in tool) can be held so for an instant by a
    /// child another thread has just forked and that has not reached its own exec yet: fork
    /// copies every descriptor, close-on-exec ones included, and they close only at that exec.
    /// The agent starts commands from several tasks at once (host keys beside the other
    /// plugins), so this is a race of microseconds, not a broken program; it failed a CI run.
    /// A program held open for writing for longer is reported as before.
    static func retryingBusyProgram(
        _ launch: @Sendable () async throws -> CommandResult
    ) async throws -> CommandResult {
        let giveUp = ContinuousClock.now + busyProgramPatience
        var pause = Duration.milliseconds(5)
        while true {
            do {
                return try await launch()
            } catch let error as SubprocessError
                where error.underlyingError == Errno(rawValue: ETXTBSY) && ContinuousClock.now + pause < giveUp
            {
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(200))
            }
        }
    }

    /// Writes `input` to the command's standard input and closes it, whatever the command
    /// does; returns whether every byte was written.
    ///
    /// Why not swift-subprocess's `input: .data(...)`: in 1.0.2 that writes in a task of its
    /// own and, when the write fails (EPIPE: the command exited, or closed its standard input,
    /// without reading it all: chpasswd that cannot lock /etc/shadow, a full disk, a wrapper
    /// that refuses), never closes the pipe; the library then finds the descriptor open when
    /// its writer is released and traps ("FileDescriptor ... was not closed", SIGILL, exit
    /// 132), killing the agent and every plugin after the failed one. Here a failed write is
    /// the command's business: its exit status says what happened, and the pipe is always
    /// closed (`finish()` marks it closed before closing, so even a failed close cannot trap).
    static func feed(_ input: Data, to writer: StandardInputWriter) async -> Bool {
        var delivered = true
        if !input.isEmpty {
            do {
                // A short count: the command exited mid-write and the library stopped writing.
                delivered = try await writer.write(Array(input)) == input.count
            } catch {
                delivered = false
            }
        }
        try? await writer.finish()
        return delivered
    }

    /// Makes a write to a command that no longer reads its standard input fail with EPIPE
    /// instead of killing the whole process with SIGPIPE (once per process). The agent does
    /// it at start (`ProcessGuards`); this covers every other host of the library, tests
    /// included. Commands are not affected: swift-subprocess resets every signal to its
    /// default in the child (POSIX_SPAWN_SETSIGDEF).
    private static func ignoreBrokenPipes() {
        _ = brokenPipesIgnored
    }

    private static let brokenPipesIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// The exit status, or 128 + the signal that ended the command (as a shell reports it).
    private static func code(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let status): Int32(status)
        case .signaled(let signal): 128 + Int32(signal)
        }
    }

    /// Runs `launch`, or cancels it after `timeout`: cancellation makes swift-subprocess run
    /// the teardown sequence (SIGKILL to the process group) before `run` returns.
    private static func race(
        _ launch: @escaping @Sendable () async throws -> CommandResult,
        against timeout: Duration
    ) async throws -> CommandResult {
        try await withThrowingTaskGroup(of: CommandResult?.self) { group in
            group.addTask { try await launch() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return CommandResult(exitCode: 137, timedOut: true) }
            if let finished = first { return finished }
            group.cancelAll()
            // Wait for the killed command to be reaped; its own result (a CancellationError) is moot.
            _ = try? await group.next()
            return CommandResult(exitCode: 128 + SIGKILL, timedOut: true)
        }
    }
}
