import Foundation

/// The built `mock-metadata-server` binary running on a free loopback port (or inside a
/// network namespace), stopped when the value is released.
public final class MockServerProcess: @unchecked Sendable {
    public let process: Process
    public let baseURL: URL
    public let requestLog: String

    /// Starts the server with `arguments` added to `--fixtures DIR --port 0 --request-log F`.
    /// `prefix` runs it under another program (e.g. `ip netns exec NS`).
    public init(
        fixtures: String, arguments: [String] = [], prefix: [String] = [], bind: String? = nil,
        port: Int = 0, logDirectory: String
    ) async throws {
        requestLog = logDirectory + "/requests.jsonl"
        var argv = [
            BuiltProducts.path("mock-metadata-server"), "--fixtures", fixtures, "--port", String(port),
            "--request-log", requestLog,
        ]
        if let bind { argv += ["--bind", bind] }
        argv += arguments
        argv = prefix + argv
        // A program slot while it starts (see `Slots.programs`): fifty servers starting at once
        // would hold both cores for seconds.
        (process, baseURL) = try await Slots.programs.withSlot { [argv] in try await Self.launch(argv) }
    }

    /// Starts `argv` and returns it with the URL it prints once it listens.
    private static func launch(_ argv: [String]) async throws -> (Process, URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Wait for the one "listening on URL" line, on a thread of its own (see `OwnThread`);
        // a server silent for 20 s is stopped, which ends the read. The reading thread
        // cancels that as soon as the line is in: this task may resume much later.
        let silent = SilenceWatch(process)
        let reader = output.fileHandleForReading
        let line = await OwnThread.run {
            defer { silent.cancel() }
            return firstLine(of: reader)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on "), let url = URL(string: String(text.dropFirst("listening on ".count)))
        else {
            process.terminate()
            throw CocoaError(
                .fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "mock server did not start: '\(text)'"])
        }
        return (process, url)
    }

    /// The bytes before the first line feed (or the end of the output).
    private static func firstLine(of handle: FileHandle) -> Data {
        var line = Data()
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { return line }
            line.append(byte)
        }
    }

    /// The URL of `path` (relative, e.g. `openstack/latest/meta_data.json`) on this server.
    public func url(for path: String) -> URL {
        baseURL.appendingPathComponent(path)
    }

    /// The request log as parsed JSON objects.
    public func loggedRequests() -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: requestLog) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        stop()
    }
}

/// Terminates a process that has not been cancelled within 20 s.
private final class SilenceWatch: @unchecked Sendable {
    private let item: DispatchWorkItem

    init(_ process: Process) {
        item = DispatchWorkItem { [process] in process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: item)
    }

    func cancel() { item.cancel() }
}
