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
    ///
    /// A source that finds no route to its service (`DataSourceError.networkUnreachable`) is
    /// tried again, with a growing pause, while the deadline allows: the network stage
    /// starts after `network-online.target`, but a NIC can still be waiting for its lease
    /// then (booted for real on Debian 12's ifupdown), and cloud-init waits for its metadata
    /// URL the same way. A machine without any network waits the deadline, then says why.
    public func run() async -> Result {
        let start = ContinuousClock.now
        var attempts: [String] = []
        for source in sources {
            var pause = Self.firstRoutePause
            var noRoute: DataSourceError?
            while true {
                let remaining = deadline - Self.seconds(since: start)
                guard remaining > 0 else {
                    attempts.append(
                        noRoute.map { "\(source.id): \($0) until the discovery deadline of \(deadline) s passed" }
                            ?? "\(source.id): not tried, discovery deadline of \(deadline) s passed")
                    break
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
                } catch let timeout as DiscoveryTimeout {
                    attempts.append(
                        "\(source.id): gave up when the discovery deadline of \(deadline) s passed"
                            + (timeout.interrupted.map { " (\($0))" } ?? ""))
                } catch let error as DataSourceError where error.isNetworkUnreachable {
                    if noRoute == nil {
                        logger.notice(
                            "no route to the metadata service yet: waiting for the network, up to the discovery deadline",
                            metadata: ["datasource": "\(source.id)", "error": "\(error)", "deadline": "\(deadline)"])
                    }
                    noRoute = error
                    let left = deadline - Self.seconds(since: start)
                    try? await Task.sleep(nanoseconds: UInt64(max(0, min(pause, left)) * 1_000_000_000))
                    pause = min(pause * 2, Self.longestRoutePause)
                    continue
                } catch {
                    attempts.append("\(source.id): \(error)")
                }
                logger.info(
                    "metadata source not usable",
                    metadata: ["datasource": "\(source.id)", "reason": "\(attempts.last ?? "")"])
                break
            }
        }
        return Result(metadata: nil, attempts: attempts)
    }

    /// The pauses between loads of a source with no route yet: 0.25 s, doubled up to 2 s.
    static let firstRoutePause = 0.25
    static let longestRoutePause = 2.0

    /// The deadline passed; `interrupted` says what the source was doing then, when it
    /// said so on being cancelled (a local read names its device).
    struct DiscoveryTimeout: Error {
        var interrupted: String?
    }

    private enum Outcome<T: Sendable>: Sendable {
        case finished(T)
        case deadline
    }

    /// Runs `body`, cancelling it when `seconds` pass. A body that honours cancellation ends
    /// at once then (sources must; local reads do through `BlockingWork`), and its error on
    /// being stopped goes into the timeout.
    static func withTimeout<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask { .finished(try await body()) }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                return .deadline
            }
            defer { group.cancelAll() }
            // Two tasks were added, so `next()` has a result; nil would only mean none ran.
            guard case .finished(let value)? = try await group.next() else {
                group.cancelAll()
                var timeout = DiscoveryTimeout()
                do {
                    _ = try await group.next()
                } catch let stopped as VolumeReadError {
                    if case .stopped = stopped { timeout.interrupted = "\(stopped)" }
                } catch {}
                throw timeout
            }
            return value
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
