import Foundation
import Logging

/// Per-request timeout and retries with capped exponential backoff.
public struct RetryPolicy: Sendable, Equatable {
    /// Extra attempts after the first (cloudbase-init's `retry_count`).
    public var retries: Int
    /// First backoff interval in seconds (`retry_count_interval`), doubled per retry.
    public var baseInterval: Double
    /// No single wait is longer than this.
    public var maxInterval: Double
    /// Inactivity timeout of one request, seconds.
    public var requestTimeout: Double

    public init(retries: Int = 3, baseInterval: Double = 0.5, maxInterval: Double = 4, requestTimeout: Double = 3) {
        self.retries = retries
        self.baseInterval = baseInterval
        self.maxInterval = maxInterval
        self.requestTimeout = requestTimeout
    }

    /// The wait before retry number `attempt` (1-based).
    public func delay(beforeRetry attempt: Int) -> Double {
        min(maxInterval, baseInterval * pow(2, Double(attempt - 1)))
    }
}

/// The HTTP client every network source (and the password plugin) uses.
///
/// Retries transport errors, timeouts, 5xx and 429; returns every other status to the
/// caller unchanged (404 means "not there", which only the caller can interpret).
/// Honours task cancellation between and during attempts, so the discovery deadline holds.
public struct MetadataHTTPClient: Sendable {
    public let transport: any HTTPTransport
    public let policy: RetryPolicy
    let logger: Logger

    public init(transport: any HTTPTransport = URLSessionTransport(), policy: RetryPolicy = RetryPolicy(),
                logger: Logger = Logger(label: "guest-agent.http")) {
        self.transport = transport
        self.policy = policy
        self.logger = logger
    }

    /// Sends `request` with retries; see the type's contract.
    public func send(_ request: HTTPRequestSpec, maxBytes: Int, retries: Int? = nil, timeout: Double? = nil) async throws -> HTTPReply {
        let allowed = retries ?? policy.retries
        var attempt = 0
        while true {
            try Task.checkCancellation()
            do {
                let reply = try await transport.send(request, timeout: timeout ?? policy.requestTimeout, maxBytes: maxBytes)
                if Self.isRetryable(status: reply.status) && attempt < allowed {
                    logger.debug("retrying", metadata: ["url": "\(request.url)", "status": "\(reply.status)"])
                } else if Self.isRetryable(status: reply.status) {
                    throw DataSourceError.httpStatus(url: request.url.absoluteString, status: reply.status)
                } else {
                    return reply
                }
            } catch let error as DataSourceError {
                if case .documentTooLarge = error { throw error }
                if attempt >= allowed { throw error }
                logger.debug("retrying", metadata: ["url": "\(request.url)", "error": "\(error)"])
            }
            attempt += 1
            try await Task.sleep(nanoseconds: UInt64(policy.delay(beforeRetry: attempt) * 1_000_000_000))
        }
    }

    /// GET that maps 404 to nil and any other non-200 to a named error.
    public func getIfPresent(_ url: URL, maxBytes: Int, headers: [String: String] = [:]) async throws -> Data? {
        let reply = try await send(HTTPRequestSpec(url: url, headers: headers), maxBytes: maxBytes)
        switch reply.status {
        case 200: return reply.body
        case 404: return nil
        default: throw DataSourceError.httpStatus(url: url.absoluteString, status: reply.status)
        }
    }

    static func isRetryable(status: Int) -> Bool {
        status >= 500 || status == 429
    }
}
