import Foundation
import Logging

/// A logger whose lines (message and metadata) are kept for assertions, e.g. that a
/// password never appears in a log.
public final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    public init() {}

    public var lines: [String] { lock.withLock { stored } }
    public var text: String { lines.joined(separator: "\n") }

    public func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in CapturingHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) {
        lock.withLock { stored.append(line) }
    }
}

private struct CapturingHandler: LogHandler {
    let capture: LogCapture
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        capture.append("\(event.level) \(event.message) \(merged)")
    }
}
