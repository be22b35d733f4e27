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
    ) throws {
        requestLog = logDirectory + "/requests.jsonl"
        var argv = [
            BuiltProducts.path("mock-metadata-server"), "--fixtures", fixtures, "--port", String(port),
            "--request-log", requestLog,
        ]
        if let bind { argv += ["--bind", bind] }
        argv += arguments
        argv = prefix + argv
        process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Wait for the one "listening on URL" line.
        var line = Data()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            if byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on "), let url = URL(string: String(text.dropFirst("listening on ".count)))
        else {
            process.terminate()
            throw CocoaError(
                .fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "mock server did not start: '\(text)'"])
        }
        baseURL = url
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
