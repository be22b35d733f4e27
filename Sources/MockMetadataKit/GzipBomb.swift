import Foundation

/// The `--gzip-bomb` body: one gzip member that inflates to 1 MiB of zeros (about 1 KiB,
/// made by the system `gzip -c -9 -n`), repeated 1024 times. A gzip file may consist of
/// concatenated members, so the whole (about 1 MiB) inflates to 1 GiB of zeros.
final class GzipBomb: @unchecked Sendable {
    /// Bytes one member inflates to, and how many members the body holds.
    static let memberInflatedBytes = 1 << 20
    static let memberCount = 1024

    private let lock = NSLock()
    private var cached: Data?

    /// The body, built on first use (the server builds it at start when the fault is set).
    func body() throws -> Data {
        try lock.withLock {
            if let cached { return cached }
            let member = try Self.member()
            var body = Data(capacity: member.count * Self.memberCount)
            for _ in 0..<Self.memberCount { body.append(member) }
            cached = body
            return body
        }
    }

    /// Runs `gzip -c -9 -n` (argv only, no shell) on 1 MiB of zeros read from a temporary
    /// file, so that no pipe can fill while the other end waits.
    static func member() throws -> Data {
        guard let gzip = executable("gzip") else { throw GzipBombError(message: "no gzip program on PATH") }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("mock-gzip-bomb-\(UUID().uuidString)")
        try Data(count: memberInflatedBytes).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gzip)
        process.arguments = ["-c", "-9", "-n"]
        let inputHandle = try FileHandle(forReadingFrom: input)
        defer { try? inputHandle.close() }
        process.standardInput = inputHandle
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let member = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // A gzip member starts with 1f 8b and has at least a 10-byte header and 8-byte trailer.
        guard process.terminationStatus == 0, member.count > 18, member.starts(with: [0x1f, 0x8b]) else {
            throw GzipBombError(
                message: "gzip -c -9 -n failed (status \(process.terminationStatus), \(member.count) bytes)")
        }
        return member
    }

    /// The first executable `name` on PATH (or in /usr/bin, /bin).
    private static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin"]).map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Building the gzip bomb failed.
struct GzipBombError: Error, CustomStringConvertible {
    var message: String
    var description: String { "gzip bomb: \(message)" }
}
