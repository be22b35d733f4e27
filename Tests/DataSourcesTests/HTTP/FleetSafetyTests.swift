import DataSources
import Foundation
import TestSupport
import Testing

@testable import DataSources

/// Many instances boot against one metadata service: retries spread out, a service that
/// asks for time gets it, and one source never floods the service.
@Suite(.serialized, .ownThread(.timesDeadlines)) struct FleetSafetyTests {
    final class Draws: @unchecked Sendable {
        private let lock = NSLock()
        private var ranges: [ClosedRange<Double>] = []
        var recorded: [ClosedRange<Double>] { lock.withLock { ranges } }
        /// Records the range and waits its lower end (no random draw: the test stays exact).
        func draw(_ range: ClosedRange<Double>) -> Double {
            lock.withLock { ranges.append(range) }
            return range.lowerBound
        }
    }

    func server(_ arguments: [String]) async throws -> (MockServerProcess, TemporaryDirectory) {
        let logs = try TemporaryDirectory(prefix: "guest-agent-fleet")
        return (
            try await MockServerProcess(
                fixtures: BuiltProducts.defaultFixtures, arguments: arguments, logDirectory: logs.path), logs
        )
    }

    @Test func everyWaitIsDrawnFromZeroToTheBackoffCap() async throws {
        let (mock, logs) = try await server(["--fail-first", "3:/openstack/latest/meta_data.json"])
        defer {
            mock.stop()
            _ = logs
        }
        let draws = Draws()
        let client = MetadataHTTPClient(
            policy: RetryPolicy(retries: 3, baseInterval: 0.5, maxInterval: 1.5, requestTimeout: 2),
            jitter: draws.draw)
        let body = try await client.getIfPresent(mock.url(for: "openstack/latest/meta_data.json"), maxBytes: 1 << 20)
        #expect(body != nil)
        #expect(draws.recorded == [0...0.5, 0...1, 0...1.5])
    }

    @Test func aRetryAfterThatFitsTheBudgetIsWaitedOut() async throws {
        let (mock, logs) = try await server([
            "--fail-first", "1:/openstack/latest/meta_data.json", "--fail-status", "503", "--retry-after", "1",
        ])
        defer {
            mock.stop()
            _ = logs
        }
        let client = MetadataHTTPClient(
            policy: RetryPolicy(retries: 3, baseInterval: 0.01, requestTimeout: 2, totalTimeout: 5))
        #expect(
            try await client.getIfPresent(mock.url(for: "openstack/latest/meta_data.json"), maxBytes: 1 << 20) != nil)
        let requests = mock.loggedRequests()
        try #require(requests.count == 2)
        let gap = (requests[1]["start"] as? Double ?? 0) - (requests[0]["end"] as? Double ?? 0)
        #expect(gap >= 0.95, "the retry came \(gap) s after the 503, before the 1 s the service asked for")
    }

    @Test func aRetryAfterPastTheBudgetFailsAtOnceWithTheStatus() async throws {
        let (mock, logs) = try await server([
            "--fail-first", "1:/openstack/latest/meta_data.json", "--fail-status", "429", "--retry-after", "3600",
        ])
        defer {
            mock.stop()
            _ = logs
        }
        let client = MetadataHTTPClient(
            policy: RetryPolicy(retries: 3, baseInterval: 0.01, requestTimeout: 2, totalTimeout: 5))
        let url = mock.url(for: "openstack/latest/meta_data.json")
        await #expect(throws: DataSourceError.httpStatus(url: url.absoluteString, status: 429)) {
            try await client.getIfPresent(url, maxBytes: 1 << 20)
        }
        #expect(mock.loggedRequests().count == 1)
    }

    @Test func retryAfterIsReadOnlyAsSecondsOn429And503() {
        func reply(_ status: Int, _ value: String) -> HTTPReply {
            HTTPReply(status: status, body: Data(), headers: ["Retry-After": value])
        }
        #expect(MetadataHTTPClient.retryAfter(reply(503, "7")) == 7)
        #expect(MetadataHTTPClient.retryAfter(reply(429, " 2 ")) == 2)
        #expect(MetadataHTTPClient.retryAfter(reply(500, "7")) == nil)
        #expect(MetadataHTTPClient.retryAfter(reply(503, "-1")) == nil)
        #expect(MetadataHTTPClient.retryAfter(reply(503, "Wed, 21 Oct 2026 07:28:00 GMT")) == nil)
    }

    @Test func oneClientKeepsAtMostEightRequestsOnTheWire() async throws {
        let (mock, logs) = try await server(["--latency-ms", "200"])
        defer {
            mock.stop()
            _ = logs
        }
        let client = MetadataHTTPClient(policy: RetryPolicy(retries: 0, requestTimeout: 5, totalTimeout: 30))
        let url = mock.url(for: "openstack/latest/meta_data.json")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<24 { group.addTask { _ = try await client.getIfPresent(url, maxBytes: 1 << 20) } }
            try await group.waitForAll()
        }
        let spans = mock.loggedRequests().compactMap { entry -> (Double, Double)? in
            guard let start = entry["start"] as? Double, let end = entry["end"] as? Double else { return nil }
            return (start, end)
        }
        #expect(spans.count == 24)
        let most = spans.map { span in spans.filter { $0.0 <= span.0 && span.0 < $0.1 }.count }.max() ?? 0
        #expect(most <= 8, "\(most) requests were in flight at once")
        #expect(most >= 2, "requests did not overlap at all: \(most)")
    }

    @Test func aCancelledWaiterLeavesTheQueueAtOnce() async throws {
        let limit = ConcurrencyLimit(capacity: 1)
        let holder = Task { try await limit.withSlot { try await Task.sleep(for: .seconds(30)) } }
        try await Task.sleep(for: .milliseconds(100))
        let waiter = Task { try await limit.withSlot { "got a slot" } }
        try await Task.sleep(for: .milliseconds(100))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        holder.cancel()
        _ = await holder.result
        // The slot came back: a new caller gets it at once.
        #expect(try await limit.withSlot { "free" } == "free")
    }
}
