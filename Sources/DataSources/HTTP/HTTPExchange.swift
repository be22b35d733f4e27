import FoundationEssentials
import Glibc

/// One HTTP request to a metadata service.
public struct HTTPRequestSpec: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?
    /// Connect from a source port below 1024 (only root can): Scaleway's user and vendor
    /// data require it. Plain `http://` only; an `https://` request never sets it.
    public var reservedSourcePort: Bool

    public init(
        method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil,
        reservedSourcePort: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.reservedSourcePort = reservedSourcePort
    }
}

/// What came back; the body is already capped.
public struct HTTPReply: Sendable {
    public var status: Int
    public var body: Data
    /// Header names in lower case (HTTP header names are case-insensitive).
    public var headers: [String: String]

    public init(status: Int, body: Data, headers: [String: String] = [:]) {
        self.status = status
        self.body = body
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
    }

    /// The one reading of a metadata reply: 200 is the body, 404 is "not there" (nil: an
    /// optional item, no user data), anything else is an error naming `url`.
    public func bodyIfPresent(from url: URL) throws -> Data? {
        switch status {
        case 200: return body
        case 404: return nil
        default: throw DataSourceError.httpStatus(url: url.absoluteString, status: status)
        }
    }

    /// The body as UTF-8 text, or a named error.
    public func text(from url: URL) throws -> String {
        guard let text = String(data: body, encoding: .utf8) else {
            throw DataSourceError.malformedDocument(location: url.absoluteString, reason: "body is not UTF-8")
        }
        return text
    }
}

/// The bounds of one HTTP attempt.
public struct TransferLimits: Sendable, Equatable {
    /// Seconds without a single byte (connecting, waiting for the answer, between bytes).
    public var idleTimeout: Double
    /// Seconds for the whole exchange, however steadily bytes arrive (a trickling server).
    public var totalTimeout: Double
    /// Body bytes held at most; more is an error, detected while reading.
    public var maxBytes: Int

    public init(idleTimeout: Double, totalTimeout: Double, maxBytes: Int) {
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
        self.maxBytes = maxBytes
    }
}

/// A single HTTP attempt, with no policy of its own (retries and redirects belong to
/// `MetadataHTTPClient`). The whole contract, which `HTTPTransportConformance` tests:
/// - No proxy, whatever the environment says (`http_proxy` and friends are ignored):
///   metadata services are link-local.
/// - No redirect is followed: a 3xx is returned as it came, with its `location` header.
/// - Header names in the reply are lower case; request headers are sent as given.
/// - A request with a body (and every method but GET and HEAD) carries Content-Length.
/// - The body is returned as received: no Accept-Encoding is sent, and a reply with a
///   Content-Encoding other than `identity` is refused (`.malformedDocument`), so the
///   size cap always counts the bytes held.
/// - `.documentTooLarge` as soon as a declared Content-Length or the bytes received pass
///   `limits.maxBytes`: the transfer stops, nothing more is buffered.
/// - `.timedOut` after `limits.idleTimeout` seconds without progress, and
///   `.tooSlow` when the exchange passes `limits.totalTimeout`.
/// - Task cancellation ends the request at once (`CancellationError`).
/// - Waiting never spins: a hung server costs no CPU.
/// - Other failures (refused, reset, DNS) are `.transport` with the reason.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequestSpec, limits: TransferLimits) async throws -> HTTPReply
}

extension URL {
    /// The one URL join: `relativePath` (`latest/meta-data/instance-id`) below this URL,
    /// one component at a time, so that a `/` in a path never replaces the base's path.
    /// A trailing `/` is kept: it asks an EC2 directory for its listing
    /// (`meta-data/public-keys/`), the form AWS documents for listings.
    func appending(relativePath: String) -> URL {
        let joined = relativePath.split(separator: "/").reduce(self) { $0.appendingPathComponent(String($1)) }
        guard relativePath.hasSuffix("/"), !joined.path.hasSuffix("/") else { return joined }
        return joined.deletingLastPathComponent().appendingPathComponent(joined.lastPathComponent, isDirectory: true)
    }
}

/// Monotonic seconds for request deadlines (immune to the wall clock being set during
/// boot), shared by the client's total budget and the transport's limits.
enum MonotonicClock {
    static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The idle and total limits of one attempt (`TransferLimits`) on the monotonic clock: what
/// both transports measure while they wait, and the named error when a limit passes.
/// Touched by the attempt's own thread only.
final class TransferClock {
    enum Limit {
        case idle
        case total
    }

    let limits: TransferLimits
    private let start = MonotonicClock.seconds()
    private var lastProgress: Double

    init(_ limits: TransferLimits) {
        self.limits = limits
        lastProgress = start
    }

    /// A byte moved: the idle limit starts again.
    func progressed() { lastProgress = MonotonicClock.seconds() }

    /// Milliseconds until the nearer limit (0 once it has passed), and which limit that is
    /// (idle on a tie: no byte for that long is the better explanation).
    func remaining() -> (milliseconds: Int, limit: Limit) {
        let now = MonotonicClock.seconds()
        let idle = limits.idleTimeout - (now - lastProgress)
        let total = limits.totalTimeout - (now - start)
        let nearer = min(idle, total)
        return (nearer <= 0 ? 0 : Int((nearer * 1000).rounded(.up)), idle <= total ? .idle : .total)
    }

    /// The contract's error for `limit` passing on a request to `url`.
    func error(_ limit: Limit, url: String) -> DataSourceError {
        switch limit {
        case .idle: .timedOut(url: url, seconds: limits.idleTimeout)
        case .total: .tooSlow(url: url, seconds: limits.totalTimeout)
        }
    }
}
