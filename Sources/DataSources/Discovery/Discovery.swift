import FoundationEssentials
import Logging

/// Finds the first data source that loads, in the configured order, under one overall
/// deadline: a boot never waits longer than `discovery_timeout` for metadata.
public struct Discovery: Sendable {
    public let sources: [any DataSource]
    public let deadline: Double
    let logger: Logger

    public init(sources: [any DataSource], deadline: Double, logger: Logger) {
        self.sources = sources
        self.deadline = deadline
        self.logger = logger
    }

    public struct Result: Sendable {
        public var metadata: InstanceMetadata?
        /// One line per source tried: `openstack: HTTP 500 from http://...`.
        public var attempts: [String]
    }

    /// Tries each source in order until one returns metadata or the deadline passes.
    public func run() async -> Result {
        let start = ContinuousClock.now
        var attempts: [String] = []
        for source in sources {
            let remaining = deadline - Self.seconds(since: start)
            guard remaining > 0 else {
                attempts.append("\(source.id): not tried, discovery deadline of \(deadline) s passed")
                continue
            }
            do {
                if let metadata = try await Self.withTimeout(remaining, { try await source.load() }) {
                    attempts.append("\(source.id): found instance \(metadata.instanceID)")
                    logger.info(
                        "metadata source found",
                        metadata: ["datasource": "\(source.id)", "instance": "\(metadata.instanceID)"])
                    return Result(metadata: metadata, attempts: attempts)
                }
                attempts.append("\(source.id): not present")
            } catch is DiscoveryTimeout {
                attempts.append("\(source.id): gave up when the discovery deadline of \(deadline) s passed")
            } catch {
                attempts.append("\(source.id): \(error)")
            }
            logger.info(
                "metadata source not usable",
                metadata: ["datasource": "\(source.id)", "reason": "\(attempts.last ?? "")"])
        }
        return Result(metadata: nil, attempts: attempts)
    }

    struct DiscoveryTimeout: Error {}

    /// Runs `body`, cancelling it when `seconds` pass.
    static func withTimeout<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                throw DiscoveryTimeout()
            }
            defer { group.cancelAll() }
            // Two tasks were added, so `next()` has a result; nil would only mean none ran.
            guard let first = try await group.next() else { throw DiscoveryTimeout() }
            return first
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
