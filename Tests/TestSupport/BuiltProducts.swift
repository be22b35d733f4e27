import Foundation

/// Finds the executables `swift build` put beside the test bundle.
public enum BuiltProducts {
    /// Directory of the test runner (`.build/<triple>/debug`), where products are built.
    public static var directory: URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        // swift-testing may run from inside `<name>.xctest`; walk up to the build directory.
        while directory.path != "/"
            && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("guest-agent").path)
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }

    public static func path(_ product: String) -> String {
        directory.appendingPathComponent(product).path
    }

    /// The bundled fixture set the mock server, demo and benchmark serve.
    public static var defaultFixtures: String {
        repository.appendingPathComponent("fixtures/default").path
    }

    /// The repository's top folder (from this file's location).
    public static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}

/// The result of running a program in a test.
public struct ProgramResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}

/// Runs a program to completion with a time limit (tests only; the agent uses Subprocess).
public enum Program {
    @discardableResult
    public static func run(
        _ path: String, _ arguments: [String], input: Data? = nil, timeout: Double = 120,
        environment: [String: String]? = nil
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
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let collected = CollectedOutput()
        let group = DispatchGroup()
        for (pipe, isError) in [(output, false), (error, true)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isError: isError)
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            usleep(200_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        group.wait()
        return ProgramResult(
            status: process.terminationStatus, standardOutput: collected.output, standardError: collected.error)
    }

    /// Starts a program in the background, its output discarded (for runs a test kills
    /// or races); the caller waits for it.
    public static func start(_ path: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    /// The built `guest-agent` with `arguments` and `--config CONFIG --root ROOT`, as the
    /// end-to-end tests run it.
    public static func agent(
        _ arguments: [String], config: String, root: String, timeout: Double = 60
    ) throws -> ProgramResult {
        try run(BuiltProducts.path("guest-agent"), arguments + ["--config", config, "--root", root], timeout: timeout)
    }

    /// Runs `name` found on PATH.
    @discardableResult
    public static func tool(_ name: String, _ arguments: [String], input: Data? = nil, timeout: Double = 120) throws
        -> ProgramResult
    {
        guard let path = which(name) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name]) }
        return try run(path, arguments, input: input, timeout: timeout)
    }

    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]).map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static var isRoot: Bool { getuid() == 0 }
}

private final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    func set(_ data: Data, isError: Bool) { lock.withLock { if isError { err = data } else { out = data } } }
    var output: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var error: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
}
