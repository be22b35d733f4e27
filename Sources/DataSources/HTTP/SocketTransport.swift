import AgentBase
import FoundationEssentials

/// `HTTPTransport` for `http://` URLs over a plain TCP socket (see the protocol for the
/// whole contract): HTTP/1.1, one request per connection (`Connection: close`), read by
/// `HTTPResponseReader`. Each exchange runs on a thread of its own that sleeps in `poll`;
/// cancellation wakes it through a pipe and the caller is answered at once, even while the
/// thread still waits on the system resolver.
///
/// Why our own: metadata services speak plain HTTP/1.1 on a link-local literal address,
/// which needs a few hundred lines, no library and no extra thread pool. libcurl loads 33
/// shared libraries at every boot (8 MB of the agent's memory), SwiftNIO adds 5.6 MB to the
/// binary and an event-loop group (docs/HTTP-TRANSPORT-CHOICE.md). `https://` is refused
/// here; `AgentTransport` sends it to libcurl, loaded only then.
/// Never a proxy (nothing here reads the environment), never a redirect followed.
public struct SocketTransport: HTTPTransport {
    public init() {}

    public func send(_ request: HTTPRequestSpec, limits: TransferLimits) async throws -> HTTPReply {
        try Task.checkCancellation()
        let location = request.url.absoluteString
        guard request.url.scheme?.lowercased() == "http", let host = request.url.host, !host.isEmpty else {
            throw DataSourceError.transport(
                url: location, reason: "only http:// URLs with a host are sent over a plain socket")
        }
        guard let connection = SocketConnection() else {
            throw DataSourceError.transport(url: location, reason: "no file descriptor left for a socket")
        }
        let answer = AnswerOnce()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Cancelled already: answered, and no connection is opened for nobody.
                guard answer.set(continuation) else { return }
                DetachedThread.start {
                    let exchange = SocketExchange(request: request, host: host, limits: limits, connection: connection)
                    answer.resume(with: exchange.run())
                    connection.close()
                }
            }
        } onCancel: {
            connection.interrupt()
            answer.resume(with: .failure(CancellationError()))
        }
    }
}

/// Resumes a continuation exactly once: with the exchange's result, or with cancellation
/// before the exchange's thread has noticed it.
private final class AnswerOnce: @unchecked Sendable {
    private let lock = PlainLock()
    private var continuation: CheckedContinuation<HTTPReply, any Error>?
    private var early: Result<HTTPReply, any Error>?
    private var answered = false

    /// Keeps `continuation` for the exchange's answer; false when the answer came first
    /// (cancellation), in which case it is resumed here and no exchange should start.
    func set(_ continuation: CheckedContinuation<HTTPReply, any Error>) -> Bool {
        let result: Result<HTTPReply, any Error>? = lock.withLock {
            if let early { return early }
            self.continuation = continuation
            return nil
        }
        guard let result else { return true }
        continuation.resume(with: result)
        return false
    }

    func resume(with result: Result<HTTPReply, any Error>) {
        let waiting: CheckedContinuation<HTTPReply, any Error>? = lock.withLock {
            guard !answered else { return nil }
            answered = true
            guard let continuation else {
                early = result  // cancelled before the continuation existed
                return nil
            }
            return continuation
        }
        waiting?.resume(with: result)
    }
}

/// One request and its reply, run on the exchange's own thread.
struct SocketExchange {
    let request: HTTPRequestSpec
    let host: String
    let limits: TransferLimits
    let connection: SocketConnection

    private var location: String { request.url.absoluteString }

    func run() -> Result<HTTPReply, any Error> {
        let clock = TransferClock(limits)
        do {
            let addresses = try SocketAddress.resolve(host: host, port: request.url.port ?? 80)
            try connection.connect(to: addresses, clock: clock, reservedSourcePort: request.reservedSourcePort)
            try connection.send(
                Array(HTTPRequestWriter.head(for: request, host: host).utf8) + (request.body ?? Data()), clock: clock)
            return .success(try readReply(clock))
        } catch let failure as SocketError {
            return .failure(error(for: failure, clock: clock))
        } catch let failure as HTTPWireError {
            return .failure(error(for: failure))
        } catch {
            return .failure(error)
        }
    }

    private func readReply(_ clock: TransferClock) throws -> HTTPReply {
        var reader = HTTPResponseReader(maxBodyBytes: limits.maxBytes, isHeadRequest: request.method == "HEAD")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { buffer.deallocate() }
        while !reader.isComplete {
            let count = try connection.receive(into: buffer, clock: clock)
            if count == 0 {
                try reader.finishAtClose()
            } else {
                try reader.consume(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            }
        }
        return HTTPReply(status: reader.status, body: reader.body, headers: reader.headers)
    }

    private func error(for failure: SocketError, clock: TransferClock) -> any Error {
        switch failure {
        case .system(let reason): DataSourceError.transport(url: location, reason: reason)
        case .networkUnreachable: DataSourceError.networkUnreachable(url: location)
        case .wait(.expired(let limit)): clock.error(limit, url: location)
        case .wait: CancellationError()
        }
    }

    private func error(for failure: HTTPWireError) -> DataSourceError {
        switch failure {
        case .bodyTooLarge: .documentTooLarge(location: location, limit: limits.maxBytes)
        case .unexpectedEncoding(let coding):
            .malformedDocument(location: location, reason: "Content-Encoding '\(coding)' was not asked for")
        case .malformed(let reason): .transport(url: location, reason: "not an HTTP/1.x reply: \(reason)")
        case .truncated(let reason): .transport(url: location, reason: reason)
        }
    }
}

/// The bytes of a request head.
enum HTTPRequestWriter {
    /// `METHOD target HTTP/1.1`, `Host`, the caller's headers as given, then
    /// `Content-Length` whenever there is a body or the method is not GET or HEAD (a
    /// bodiless PUT, the IMDSv2 token request, says `Content-Length: 0`), and
    /// `Connection: close`. No `Accept-Encoding`: the body must arrive as it is stored.
    /// A header name or value holding CR or LF is dropped: it could forge another header.
    static func head(for request: HTTPRequestSpec, host: String) -> String {
        let url = request.url
        var target = url.path(percentEncoded: true)
        if target.isEmpty { target = "/" }
        if let query = url.query(percentEncoded: true) { target += "?" + query }
        var authority = host.contains(":") ? "[\(host)]" : host
        if let port = url.port, port != 80 { authority += ":\(port)" }
        var lines = ["\(request.method) \(target) HTTP/1.1", "Host: \(authority)", "User-Agent: guest-agent"]
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key })
        where !(name + value).utf8.contains(where: { $0 == 13 || $0 == 10 }) {
            lines.append("\(name): \(value)")
        }
        let hasBody = request.body != nil || (request.method != "GET" && request.method != "HEAD")
        if hasBody { lines.append("Content-Length: \(request.body?.count ?? 0)") }
        lines.append("Connection: close")
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }
}
