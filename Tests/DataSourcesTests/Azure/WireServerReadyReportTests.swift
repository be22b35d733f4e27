import DataSources
import Foundation
import Testing

/// The ready report's exchange against a scripted WireServer: the goal state GET and the
/// health POST with cloud-init's headers, the report for the goal state served, retries
/// within their bound, and a named failure.
@Suite struct WireServerReadyReportTests {
    /// Answers the goal state and the health POST, failing the first `failures` exchanges.
    final class WireServer: HTTPTransport, @unchecked Sendable {
        let lock = NSLock()
        var failures: Int
        var healthStatus: Int
        var sent: [HTTPRequestSpec] = []

        init(failures: Int = 0, healthStatus: Int = 200) {
            self.failures = failures
            self.healthStatus = healthStatus
        }

        func send(_ request: HTTPRequestSpec, limits: TransferLimits) async throws -> HTTPReply {
            lock.withLock {
                sent.append(request)
                if request.method == "GET" {
                    guard failures == 0 else {
                        failures -= 1
                        return HTTPReply(status: 410, body: Data())
                    }
                    return HTTPReply(status: 200, body: Data(WireServerGoalStateTests.goalState.utf8))
                }
                return HTTPReply(status: healthStatus, body: Data())
            }
        }

        var requests: [HTTPRequestSpec] { lock.withLock { sent } }
        var client: MetadataHTTPClient {
            MetadataHTTPClient(transport: self, policy: RetryPolicy(retries: 0, requestTimeout: 2, totalTimeout: 5))
        }
    }

    @Test func theReportIsPostedForTheGoalStateWithCloudInitsHeaders() async throws {
        let server = WireServer()
        let state = try await WireServerReadyReport(pause: 0).send(client: server.client)
        #expect(state.containerID == "TestContainerId")
        let requests = server.requests
        #expect(
            requests.map { "\($0.method) \($0.url.absoluteString)" } == [
                "GET http://168.63.129.16/machine/?comp=goalstate", "POST http://168.63.129.16/machine?comp=health",
            ])
        for request in requests {
            #expect(request.headers["x-ms-version"] == "2012-11-30")
            #expect(request.headers["x-ms-agent-name"] == "WALinuxAgent")
        }
        #expect(requests[1].headers["Content-Type"] == "text/xml; charset=utf-8")
        #expect(requests[1].body == state.readyHealthReport)
    }

    @Test func aFailedExchangeIsTriedAgainWithinTheBound() async throws {
        let server = WireServer(failures: 2)
        var retries: [String] = []
        _ = try await WireServerReadyReport(attempts: 3, pause: 0).send(client: server.client) { retries.append($0) }
        #expect(retries.count == 2)
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test func aReportNeverAcceptedFailsNamedAfterItsAttempts() async throws {
        let server = WireServer(healthStatus: 400)
        await #expect(throws: WireServerReportError.self) {
            _ = try await WireServerReadyReport(attempts: 3, pause: 0).send(client: server.client)
        }
        #expect(server.requests.filter { $0.method == "POST" }.count == 3, "three attempts, no more")
        await #expect {
            _ = try await WireServerReadyReport(attempts: 2, pause: 0).send(
                client: WireServer(healthStatus: 500).client)
        } throws: { error in
            "\(error)".contains(
                "not accepted after 2 attempt(s): HTTP 500 from http://168.63.129.16/machine?comp=health")
        }
    }
}
