import InMemoryLogging
import Logging

/// A logger whose lines (level, message and metadata) are kept for assertions, e.g. that a
/// password never appears in a log: swift-log's `InMemoryLogHandler`, with the lines as the
/// tests read them.
public final class LogCapture: Sendable {
    private let handler = InMemoryLogHandler()

    public init() {}

    public var lines: [String] { handler.entries.map { "\($0.level) \($0.message) \($0.metadata)" } }
    public var text: String { lines.joined(separator: "\n") }

    public func logger(label: String = "test") -> Logger {
        var handler = handler
        handler.logLevel = .trace
        var logger = Logger(label: label) { _ in handler }
        logger.logLevel = .trace
        return logger
    }
}
