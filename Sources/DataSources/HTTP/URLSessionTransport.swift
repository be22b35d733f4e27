import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `HTTPTransport` over Foundation's URLSession (libcurl on Linux).
///
/// Why a delegate instead of `data(for:)`: the body cap must stop the transfer as soon as
/// it is passed, so a lying server cannot make us buffer gigabytes before we look.
public struct URLSessionTransport: HTTPTransport {
    public init() {}

    public func send(_ request: HTTPRequestSpec, timeout requested: Double, maxBytes: Int) async throws -> HTTPReply {
        try await send(request, timeout: requested, maxBytes: maxBytes, startingTask: true)
    }

    /// `startingTask: false` is for tests: a task that is never resumed behaves exactly like
    /// one Foundation lost, so only the watchdog can end the request.
    func send(_ request: HTTPRequestSpec, timeout requested: Double, maxBytes: Int, startingTask: Bool) async throws -> HTTPReply {
        // Quirk: swift-corelibs-foundation converts the timeout with Int(seconds) * 1000,
        // so 0.5 s becomes 0 ms and every request "times out" at once. Whole seconds only.
        let timeout = Self.effectiveTimeout(requested)
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = timeout
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if let body = request.body {
            urlRequest.httpBody = body
            // nova's password handler fails on a request without Content-Length.
            urlRequest.setValue(String(body.count), forHTTPHeaderField: "Content-Length")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 4
        configuration.urlCache = nil
        let collector = ReplyCollector(url: request.url, maxBytes: maxBytes, timeout: timeout)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: collector, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: urlRequest)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                collector.start(continuation, watching: task)
                if startingTask { task.resume() }
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// The timeout actually applied: rounded up to whole seconds, at least one.
    public static func effectiveTimeout(_ seconds: Double) -> Double {
        max(1, seconds.rounded(.up))
    }
}

/// Collects one reply; all callbacks arrive on the session's serial delegate queue.
private final class ReplyCollector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let url: URL
    private let maxBytes: Int
    private let timeout: Double
    private let lock = NSLock()
    private var continuation: CheckedContinuation<HTTPReply, any Error>?
    private var response: HTTPURLResponse?
    private var body = Data()
    private var failure: DataSourceError?
    private var lastProgress = DispatchTime.now()
    private var watchdog: DispatchSourceTimer?

    init(url: URL, maxBytes: Int, timeout: Double) {
        self.url = url
        self.maxBytes = maxBytes
        self.timeout = timeout
    }

    /// Keeps the continuation and arms a watchdog that ends the request after `timeout`
    /// seconds without progress.
    ///
    /// Why our own watchdog: swift-corelibs-foundation can lose a data task (observed: a
    /// request among several concurrent ones never reached the server and neither its
    /// completion nor its own timeout ever fired), which would hang the caller forever.
    /// The timer runs on a Dispatch queue, not on the Swift concurrency pool.
    func start(_ continuation: CheckedContinuation<HTTPReply, any Error>, watching task: URLSessionTask) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "guest-agent.http-watchdog"))
        lock.withLock {
            self.continuation = continuation
            lastProgress = .now()
            watchdog = timer
        }
        let limit = UInt64(timeout * 1_000_000_000) + 500_000_000  // URLSession's own timer gets the first chance.
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        timer.setEventHandler { [weak self, weak task] in
            guard let self else { return }
            let stalled = self.lock.withLock { DispatchTime.now().uptimeNanoseconds - self.lastProgress.uptimeNanoseconds > limit }
            guard stalled else { return }
            task?.cancel()
            self.finish(.failure(DataSourceError.timedOut(url: self.url.absoluteString, seconds: self.timeout)))
        }
        timer.resume()
    }

    /// Resumes the caller exactly once, whichever of URLSession and the watchdog comes first.
    private func finish(_ result: Result<HTTPReply, any Error>) {
        let (pending, timer) = lock.withLock { () -> (CheckedContinuation<HTTPReply, any Error>?, DispatchSourceTimer?) in
            defer { continuation = nil; watchdog = nil }
            return (continuation, watchdog)
        }
        timer?.cancel()
        pending?.resume(with: result)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        lock.withLock { self.response = http; lastProgress = .now() }
        if response.expectedContentLength > Int64(maxBytes) {
            lock.withLock { failure = .documentTooLarge(location: url.absoluteString, limit: maxBytes) }
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let tooLarge = lock.withLock { () -> Bool in
            lastProgress = .now()
            body.append(data)
            if body.count > maxBytes {
                failure = .documentTooLarge(location: url.absoluteString, limit: maxBytes)
                return true
            }
            return false
        }
        if tooLarge { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let result = lock.withLock { () -> Result<HTTPReply, any Error> in
            if let failure { return .failure(failure) }
            if let error { return .failure(Self.classify(error, url: url, timeout: timeout)) }
            guard let response else {
                return .failure(DataSourceError.transport(url: url.absoluteString, reason: "no HTTP response"))
            }
            var headers: [String: String] = [:]
            for (key, value) in response.allHeaderFields {
                if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
            }
            return .success(HTTPReply(status: response.statusCode, body: body, headers: headers))
        }
        finish(result)
    }

    private static func classify(_ error: any Error, url: URL, timeout: Double) -> DataSourceError {
        let nsError = error as NSError
        if nsError.domain == NSURLErrorDomain && nsError.code == NSURLErrorTimedOut {
            return .timedOut(url: url.absoluteString, seconds: timeout)
        }
        if nsError.domain == NSURLErrorDomain && nsError.code == NSURLErrorCancelled {
            return .transport(url: url.absoluteString, reason: "cancelled")
        }
        return .transport(url: url.absoluteString, reason: nsError.localizedDescription)
    }
}
