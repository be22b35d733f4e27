import Foundation

/// gzip for tests, by the system `gzip` program (argv only), so that the agent's decoder
/// is checked against an independent encoder.
public enum Gzip {
    /// `data` compressed by `gzip -c -n -6`, run on a thread of its own (see `OwnThread`).
    public static func compress(_ data: Data) async throws -> Data {
        try await OwnThread.run { try compressBlocking(data) }
    }

    private static func compressBlocking(_ data: Data) throws -> Data {
        guard let gzip = Program.which("gzip") else { throw GzipTestError("no gzip program") }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("ud-gzip-\(UUID().uuidString)")
        try data.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gzip)
        process.arguments = ["-c", "-n", "-6", input.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw GzipTestError("gzip exited \(process.terminationStatus)") }
        return compressed
    }
}

public struct GzipTestError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
