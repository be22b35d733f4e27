import FoundationEssentials
import Glibc
import Logging

/// Per-request timeouts and retries with capped exponential backoff and full jitter.
public struct RetryPolicy: Sendable, Equatable {
    /// Extra attempts after the first (cloudbase-init's `retry_count`).
    public var retries: Int
    /// First backoff interval in seconds (`retry_count_interval`), doubled per retry.
    public var baseInterval: Double
    /// No single wait is longer than this.
    public var maxInterval: Double
    /// Inactivity timeout of one attempt, seconds (`request_timeout`).
    public var requestTimeout: Double
    /// The most one request may take, every attempt and wait included (`request_total_timeout`).
    public var totalTimeout: Double

    public init(
        retries: Int = 3, baseInterval: Double = 0.5, maxInterval: Double = 4, requestTimeout: Double = 3,
        totalTimeout: Double = 10
    ) {
        self.retries = retries
        self.baseInterval = baseInterval
        self.maxInterval = maxInterval
        self.requestTimeout = requestTimeout
        self.totalTimeout = totalTimeout
    }

    /// The most the client waits before retry number `attempt` (1-based); the wait itself is
    /// drawn uniformly from 0 up to this ("full jitter"), so a fleet that failed together
    /// does not retry together.
    public func delay(beforeRetry attempt: Int) -> Double {
        min(maxInterval, baseInterval * pow(2, Double(attempt - 1)))
    }

    /// Requests one client has in flight at most (per source: each source has its client).
    public static let maximumInFlight = 8
}

/// The HTTP client every network source (and the password plugin) uses.
///
/// - Retries transport errors, idle timeouts, 5xx and 429; returns every other status to
///   the caller unchanged (404 means "not there", which only the caller can interpret).
/// - Fleet-safe: each wait is drawn at random up to the backoff cap (full jitter); a
///   `Retry-After` in seconds on a 429 or 503 is waited out (plus the jitter) when it fits in
///   the request's total budget, else the request fails at once; at most
///   `RetryPolicy.maximumInFlight` requests of one client are on the wire at a time.
/// - One request, retries and waits included, never takes longer than
///   `policy.totalTimeout`: a trickling or hanging server cannot hold the boot.
/// - Redirects follow `RedirectPolicy` (same origin, GET/HEAD, once).
/// - Honours task cancellation between and during attempts, so the discovery deadline holds.
public struct MetadataHTTPClient: Sendable {
    public let transport: any HTTPTransport
    public let policy: RetryPolicy
    let logger: Logger
    /// Draws a wait from a range (random by default; tests pass a recorder).
    let jitter: @Sendable (ClosedRange<Double>) -> Double
    private let inFlight = ConcurrencyLimit(capacity: RetryPolicy.maximumInFlight)

    public init(
        transport: any HTTPTransport = AgentTransport(), policy: RetryPolicy = RetryPolicy(),
        logger: Logger = Logger(label: "guest-agent.http"),
        jitter: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    ) {
        self.transport = transport
        self.policy = policy
        self.logger = logger
        self.jitter = jitter
    }

    /// Sends `request` with retries; see the type's contract. `timeout` overrides the idle
    /// timeout (the IMDSv2 token PUT uses a short one).
    public func send(_ request: HTTPRequestSpec, maxBytes: Int, retries: Int? = nil, timeout: Double? = nil)
        async throws -> HTTPReply
    {
        let allowed = retries ?? policy.retries
        let deadline = MonotonicClock.seconds() + policy.totalTimeout
        var current = request
        var redirected = false
        var attempt = 0
        while true {
            try Task.checkCancellation()
            let remaining = deadline - MonotonicClock.seconds()
            guard remaining > 0 else {
                throw DataSourceError.tooSlow(url: request.url.absoluteString, seconds: policy.totalTimeout)
            }
            let failure: DataSourceError
            var retryAfter: Double?
            do {
                let limits = TransferLimits(
                    idleTimeout: min(timeout ?? policy.requestTimeout, remaining),
                    totalTimeout: remaining, maxBytes: maxBytes)
                let reply = try await inFlight.withSlot { [transport, current] in
                    try await transport.send(current, limits: limits)
                }
                if let next = try RedirectPolicy.target(of: reply, for: current, alreadyRedirected: redirected) {
                    logger.notice(
                        "following a same-origin redirect", metadata: ["url": "\(current.url)", "location": "\(next)"])
                    current.url = next
                    redirected = true
                    continue
                }
                guard Self.isRetryable(status: reply.status) else { return reply }
                failure = .httpStatus(url: current.url.absoluteString, status: reply.status)
                retryAfter = Self.retryAfter(reply)
            } catch let error as DataSourceError {
                guard Self.isRetryable(error) else { throw error }
                failure = error
            }
            attempt += 1
            let delay = (retryAfter ?? 0) + jitter(0...policy.delay(beforeRetry: attempt))
            guard attempt <= allowed else { throw failure }
            guard delay < deadline - MonotonicClock.seconds() else {
                if let retryAfter {
                    logger.notice(
                        "the service asked to retry later than this request may wait; giving up",
                        metadata: ["url": "\(current.url)", "retry-after": "\(retryAfter)"])
                }
                throw failure
            }
            logger.debug("retrying", metadata: ["url": "\(current.url)", "error": "\(failure)", "wait": "\(delay)"])
            try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
        }
    }

    /// GET that maps 404 to nil and any other non-200 to a named error.
    public func getIfPresent(_ url: URL, maxBytes: Int, headers: [String: String] = [:]) async throws -> Data? {
        try await send(HTTPRequestSpec(url: url, headers: headers), maxBytes: maxBytes).bodyIfPresent(from: url)
    }

    /// `Retry-After` of a 429 or 503 as seconds (the delta-seconds form; RFC 9110 §10.2.3).
    /// An HTTP-date, a negative or a malformed value counts as absent: the backoff applies.
    static func retryAfter(_ reply: HTTPReply) -> Double? {
        guard reply.status == 429 || reply.status == 503, let value = reply.headers["retry-after"],
            let seconds = UInt32(value.trimmingWhitespace())
        else { return nil }
        return Double(seconds)
    }

    static func isRetryable(status: Int) -> Bool {
        status >= 500 || status == 429
    }

    /// Worth another attempt: the server may answer next time. A size, redirect, total
    /// time or content problem would only repeat.
    static func isRetryable(_ error: DataSourceError) -> Bool {
        switch error {
        case .transport, .networkUnreachable, .timedOut, .httpStatus: true
        default: false
        }
    }
}
