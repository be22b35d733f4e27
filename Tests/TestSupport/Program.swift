import Foundation

/// The result of running a program in a test.
public struct ProgramResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
    /// Seconds from the program's start to its exit: its own time, without the wait for a
    /// slot (`Slots.programs`) or for a thread, so that tests can time it on a busy machine.
    public var elapsed: Double
}

/// Runs programs in tests (the agent uses Subprocess).
///
/// `run` awaits the program without holding a concurrency-pool thread (see `OwnThread`);
/// at most `Slots.programs` programs run at once.
public enum Program {
    /// Runs a program to completion; after `timeout` seconds from its start it is
    /// terminated (then killed) and its status returned as it ended.
    @discardableResult
    public static func run(
        _ path: String, _ arguments: [String], input: Data? = nil, timeout: Double = 120,
        environment: [String: String]? = nil
    ) async throws -> ProgramResult {
        try await Slots.programs.withSlot {
            try await OwnThread.run {
                try runBlocking(path, arguments, input: input, timeout: timeout, environment: environment)
            }
        }
    }

    /// `run` at once, without waiting for a slot: for a run that must overlap one started in
    /// the background (`start`), such as a second agent that must find the first one's lock.
    @discardableResult
    public static func runAlongside(_ path: String, _ arguments: [String], timeout: Double = 120) async throws
        -> ProgramResult
    {
        try await OwnThread.run {
            try runBlocking(path, arguments, input: nil, timeout: timeout, environment: nil)
        }
    }

    /// The built `guest-agent` with `arguments` and `--config CONFIG --root ROOT`, as the
    /// end-to-end tests run it.
    public static func agent(
        _ arguments: [String], config: String, root: String, timeout: Double = 60
    ) async throws -> ProgramResult {
        try await run(
            BuiltProducts.path("guest-agent"), arguments + ["--config", config, "--root", root], timeout: timeout)
    }

    /// Runs `name` found on PATH.
    @discardableResult
    public static func tool(_ name: String, _ arguments: [String], input: Data? = nil, timeout: Double = 120)
        async throws -> ProgramResult
    {
        try await run(try path(of: name), arguments, input: input, timeout: timeout)
    }

    /// Runs the tool `name` to clean up after a test, blocking the calling thread: only for
    /// `deinit` and `defer`, which cannot await, and for short commands (umount, losetup -d,
    /// ip netns del). Returns its exit status, nil when it could not be started.
    @discardableResult
    public static func cleanUp(_ name: String, _ arguments: [String]) -> Int32? {
        guard let path = which(name) else { return nil }
        return (try? runBlocking(path, arguments, input: nil, timeout: 30, environment: nil))?.status
    }

    /// Starts a program in the background, its output discarded (for runs a test kills
    /// or races); the caller waits for it with `exit(of:)`.
    public static func start(_ path: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    /// Waits for `process` (from `start`) to end, on a thread of its own; its exit status.
    @discardableResult
    public static func exit(of process: Process) async -> Int32 {
        await OwnThread.run {
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]).map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static var isRoot: Bool { getuid() == 0 }

    private static func path(of name: String) throws -> String {
        guard let path = which(name) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name]) }
        return path
    }

    /// `run` without the slot, on the calling thread, which it blocks until the program ends.
    private static func runBlocking(
        _ path: String, _ arguments: [String], input: Data?, timeout: Double, environment: [String: String]?
    ) throws -> ProgramResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        let error = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        let started = ContinuousClock.now
        // Readers on threads of their own, started before the input is written: a program
        // that writes before it reads cannot fill a pipe and stall the write.
        let collected = CollectedOutput()
        let readers = DispatchGroup()
        for (pipe, isError) in [(output, false), (error, true)] {
            readers.enter()
            Thread.detachNewThread {
                collected.set(pipe.fileHandleForReading.readDataToEndOfFile(), isError: isError)
                readers.leave()
            }
        }
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            usleep(200_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - started
        readers.wait()
        return ProgramResult(
            status: process.terminationStatus, standardOutput: collected.output, standardError: collected.error,
            elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
}

private final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    func set(_ data: Data, isError: Bool) { lock.withLock { if isError { err = data } else { out = data } } }
    var output: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var error: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
}
