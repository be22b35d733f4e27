import AgentBase
import CCurl
import FoundationEssentials

/// `HTTPTransport` over libcurl (see the protocol for the whole contract), for `https://`
/// (user-data includes): the agent does not link libcurl, it loads it with `dlopen` at the
/// first request (`CCurl`), so a boot that fetches nothing over https never maps it.
///
/// Each request gets its own easy handle on a multi handle, driven by a dedicated thread
/// that sleeps in `curl_multi_poll` between events: waiting costs no CPU, the Swift
/// concurrency pool is never blocked, and cancellation wakes the thread at once
/// (`curl_multi_wakeup`). Why not URLSession: it links FoundationNetworking (memory and
/// binary size), follows redirects on its own, and swift-corelibs-foundation was seen to
/// lose concurrent tasks and to spin while waiting on a hung server (docs/HTTP.md).
public struct CurlTransport: HTTPTransport {
    public init() {}

    public func send(_ request: HTTPRequestSpec, limits: TransferLimits) async throws -> HTTPReply {
        try Task.checkCancellation()
        let transfer = CurlTransfer(request: request, limits: limits)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                DetachedThread.start { continuation.resume(with: transfer.run()) }
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    /// libcurl loaded (dlopen) and initialized, once per process, on the first https request:
    /// nil, or why it could not be.
    static let loadFailure: String? = ga_curl_load() == 0 ? nil : String(cString: ga_curl_load_error())
}

/// One request's libcurl state. Body, headers and progress are touched only by the
/// transfer thread (libcurl calls the callbacks from inside `curl_multi_perform`);
/// `cancelled` and `multi` are shared with `cancel()` under the lock.
final class CurlTransfer: @unchecked Sendable {
    private let request: HTTPRequestSpec
    private let limits: TransferLimits
    private let lock = PlainLock()
    private var cancelled = false
    private var multi: UnsafeMutableRawPointer?
    private var body = Data()
    private var headers: [String: String] = [:]
    private let clock: TransferClock
    private var failure: DataSourceError?

    init(request: HTTPRequestSpec, limits: TransferLimits) {
        self.request = request
        self.limits = limits
        clock = TransferClock(limits)
    }

    private var location: String { request.url.absoluteString }

    /// Ends the transfer as soon as its thread wakes (at once: the poll is woken).
    func cancel() {
        lock.withLock {
            cancelled = true
            if let multi { ga_curl_multi_wakeup(multi) }
        }
    }

    private var isCancelled: Bool { lock.withLock { cancelled } }

    /// Runs the whole exchange on the calling (dedicated) thread.
    func run() -> Result<HTTPReply, any Error> {
        if let why = CurlTransport.loadFailure { return .failure(fault("libcurl could not be loaded: \(why)")) }
        guard let easy = ga_curl_easy_init() else { return .failure(fault("libcurl could not start")) }
        defer { ga_curl_easy_cleanup(easy) }
        guard let multi = ga_curl_multi_init() else { return .failure(fault("libcurl could not start")) }
        defer { ga_curl_multi_cleanup(multi) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { headerList = ga_curl_slist_append(headerList, "\(name): \(value)") }
        headerList = ga_curl_slist_append(headerList, "Expect:")  // no 100-continue round trip
        defer { ga_curl_slist_free_all(headerList) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }

        let prepared = prepare(easy, headers: headerList, errorBuffer: errorBuffer)
        guard prepared == CURLE_OK else { return .failure(fault(String(cString: ga_curl_easy_strerror(prepared)))) }
        ga_curl_multi_add_handle(multi, easy)
        lock.withLock { self.multi = multi }
        defer {
            lock.withLock { self.multi = nil }
            ga_curl_multi_remove_handle(multi, easy)
        }
        if let failure = drive(multi) { return .failure(failure) }
        let result = ga_curl_multi_result(multi)
        if let failure { return .failure(failure) }
        guard result == CURLE_OK else { return .failure(classify(result, errorBuffer: errorBuffer)) }
        return .success(HTTPReply(status: ga_curl_status(easy), body: body, headers: headers))
    }

    /// Sets every option (in C: curl_easy_setopt is variadic); the body is copied by libcurl.
    private func prepare(
        _ easy: UnsafeMutableRawPointer, headers: UnsafeMutablePointer<curl_slist>?,
        errorBuffer: UnsafeMutablePointer<CChar>
    ) -> CURLcode {
        let payload = request.body ?? Data()
        return request.url.absoluteString.withCString { url in
            request.method.withCString { method in
                payload.withUnsafeBytes { bytes in
                    var spec = ga_curl_request()
                    spec.url = url
                    spec.method = method
                    spec.body = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                    spec.body_length = payload.count
                    spec.headers = headers
                    spec.connect_timeout_ms = Self.milliseconds(limits.idleTimeout)
                    spec.total_timeout_ms = Self.milliseconds(limits.totalTimeout)
                    spec.max_bytes = curl_off_t(limits.maxBytes)
                    // `context` is always set below; without one, 0 makes curl abort the transfer.
                    spec.on_body = { data, size, count, context in
                        guard let context else { return 0 }
                        return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
                            .receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
                    }
                    spec.on_header = { data, size, count, context in
                        guard let context else { return 0 }
                        return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
                            .receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
                    }
                    spec.context = Unmanaged.passUnretained(self).toOpaque()
                    spec.error_buffer = errorBuffer
                    return ga_curl_prepare(easy, &spec)
                }
            }
        }
    }

    /// Performs until done, sleeping in curl_multi_poll; enforces the idle and total limits
    /// and cancellation itself so that each has its own, named outcome.
    private func drive(_ multi: UnsafeMutableRawPointer) -> (any Error)? {
        var running: Int32 = 1
        while true {
            if isCancelled { return CancellationError() }
            let code = ga_curl_multi_perform(multi, &running)
            guard code == CURLM_OK else { return fault(String(cString: ga_curl_multi_strerror(code))) }
            if running == 0 { return nil }
            let (milliseconds, limit) = clock.remaining()
            guard milliseconds > 0 else { return clock.error(limit, url: location) }
            ga_curl_multi_poll(multi, Int32(min(milliseconds, 1000)))
        }
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        clock.progressed()
        guard body.count + bytes.count <= limits.maxBytes else {
            failure = .documentTooLarge(location: location, limit: limits.maxBytes)
            return 0  // aborts the transfer: nothing more is read
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        clock.progressed()
        let line = String(decoding: bytes, as: UTF8.self).trimmingWhitespaceAndNewlines()
        if line.hasPrefix("HTTP/") {
            headers = [:]  // a new response (after 1xx): start over
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingWhitespace().lowercased()
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            headers[name] = value
            if name == "content-encoding", value.lowercased() != "identity" {
                failure = .malformedDocument(
                    location: location, reason: "Content-Encoding '\(value)' was not asked for")
                return 0
            }
        }
        return bytes.count
    }

    private func classify(_ code: CURLcode, errorBuffer: UnsafeMutablePointer<CChar>) -> DataSourceError {
        switch code {
        case CURLE_FILESIZE_EXCEEDED:
            return .documentTooLarge(location: location, limit: limits.maxBytes)
        case CURLE_OPERATION_TIMEDOUT:
            return clock.error(clock.remaining().limit, url: location)
        default:
            let detail = String(cString: errorBuffer)
            return fault(detail.isEmpty ? String(cString: ga_curl_easy_strerror(code)) : detail)
        }
    }

    private func fault(_ reason: String) -> DataSourceError {
        .transport(url: location, reason: reason)
    }

    static func milliseconds(_ seconds: Double) -> Int {
        Int(max(1, (seconds * 1000).rounded(.up)))
    }
}
