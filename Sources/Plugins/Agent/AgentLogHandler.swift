import Foundation
import Logging

/// Logs one line per event to standard error and, when configured, appends to a file:
/// `2026-11-22T10:00:00Z info [plugin=hostname] message key=value`.
/// Plugins never pass secrets as messages or metadata (DESIGN.md principle 10).
public struct AgentLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    let sink: LogSink

    public init(label: String, level: Logger.Level, sink: LogSink) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let context = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let stamp = ISO8601DateFormatter().string(from: Date())
        sink.write("\(stamp) \(event.level) \(event.message)\(context.isEmpty ? "" : " " + context)\n")
    }
}

/// Where log lines go: standard error plus an optional file (opened for append).
public final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private let file: FileHandle?
    private let toStandardError: Bool

    public init(filePath: String?, toStandardError: Bool = true) {
        self.toStandardError = toStandardError
        if let filePath, !filePath.isEmpty {
            let directory = (filePath as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: filePath) {
                _ = FileManager.default.createFile(atPath: filePath, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            file = FileHandle(forWritingAtPath: filePath)
            _ = try? file?.seekToEnd()
        } else {
            file = nil
        }
    }

    func write(_ line: String) {
        let data = Data(line.utf8)
        lock.withLock {
            if toStandardError { FileHandle.standardError.write(data) }
            file?.write(data)
        }
    }
}
