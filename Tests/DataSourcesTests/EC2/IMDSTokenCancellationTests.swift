import DataSources
import Foundation
import TestSupport
import Testing

/// The IMDSv2 token PUT runs in a task of its own (concurrent reads share it); the discovery
/// deadline cancels the EC2 source, and that cancellation must reach the PUT instead of
/// leaving it to run to the client's own time limit.
@Suite(.ownThread(.timesDeadlines)) struct IMDSTokenCancellationTests {
    /// Holds every request until it is cancelled; records that it was.
    final class HangingTransport: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var cancelledPaths: [String] = []
        var cancelled: [String] { lock.withLock { cancelledPaths } }

        func send(_ request: HTTPRequestSpec, limits: TransferLimits) async throws -> HTTPReply {
            do {
                try await Task.sleep(nanoseconds: 60_000_000_000)
            } catch {
                lock.withLock { cancelledPaths.append(request.method + " " + request.url.path) }
                throw error
            }
            return HTTPReply(status: 500, body: Data())
        }
    }

    @Test func theDiscoveryDeadlineCancelsTheTokenPUT() async throws {
        let transport = HangingTransport()
        // Generous client limits: only the deadline's cancellation can end the PUT early.
        let client = MetadataHTTPClient(
            transport: transport, policy: RetryPolicy(retries: 0, requestTimeout: 30, totalTimeout: 60))
        let source = EC2MetadataSource(
            baseURL: URL(string: "http://169.254.169.254/")!, client: client, tokenPutTimeout: 30)
        let discovery = Discovery(sources: [source], deadline: 0.3, logger: LogCapture().logger())
        _ = await discovery.run()
        var waited = 0
        while transport.cancelled.isEmpty && waited < 100 {
            try await Task.sleep(nanoseconds: 20_000_000)
            waited += 1
        }
        #expect(transport.cancelled == ["PUT /latest/api/token"], "within 2 s of the deadline")
    }
}
