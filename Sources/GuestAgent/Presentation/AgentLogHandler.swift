import AgentBase
import DataSources
import FoundationEssentials
import HostEffects
import Logging
import Plugins

#if canImport(Glibc)
import Glibc
#endif

/// Logs one line per event to standard error and, when configured, appends to a file:
/// `2026-11-22T10:00:00Z info [plugin=hostname] message key=value`.
/// Plugins never pass secrets (passwords, admin_pass) as messages or metadata: a log
/// must be safe to share (README, "The admin password").
struct AgentLogHandler: LogHandler {
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
        let stamp = UTCTimestamp.now()
        // Messages and values carry metadata (instance ids, host names, tool output): one
        // event is one line, whatever they hold (issue 29 item 9).
        let text = TextPreview.escaped("\(event.message)\(context.isEmpty ? "" : " " + context)")
        sink.write("\(stamp) \(event.level) \(text)\n")
    }
}

/// Where log lines go: standard error plus an optional file descriptor opened for append.
///
/// Logging must never stop a boot: a write that fails (a full disk, a closed or broken
/// standard error) is not retried and never traps. The failing destination is dropped and
/// reported once on whichever one still works.
final class LogSink: @unchecked Sendable {
    private let lock = PlainLock()
    private var file: Int32?
    private let fileName: String
    private var toStandardError: Bool

    /// `file` is an open descriptor (see `AtomicFileWriter.openForAppend`), named
    /// `fileName` in messages; the sink owns it.
    public init(file: Int32?, fileName: String = "", toStandardError: Bool = true) {
        self.file = file
        self.fileName = fileName
        self.toStandardError = toStandardError
    }

    func write(_ line: String) {
        let bytes = Array(line.utf8)
        lock.withLock {
            if toStandardError, let problem = Self.writeAll(STDERR_FILENO, bytes) {
                toStandardError = false
                if let file {
                    _ = Self.writeAll(
                        file, Array("guest-agent: standard error failed (\(problem)); logging only here\n".utf8))
                }
            }
            if let descriptor = file, let problem = Self.writeAll(descriptor, bytes) {
                close(descriptor)
                file = nil
                if toStandardError {
                    _ = Self.writeAll(
                        STDERR_FILENO,
                        Array("guest-agent: log file \(fileName): \(problem); no longer logging to it\n".utf8))
                }
            }
        }
    }

    /// write(2) until done; nil on success, else the error text. Never raises SIGPIPE
    /// (ignored by the process) and never traps, unlike FileHandle.write.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> String? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            offset += written
        }
        return nil
    }
}
