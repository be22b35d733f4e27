import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request to a metadata service.
public struct HTTPRequestSpec: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?

    public init(method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came back; the body is already capped.
public struct HTTPReply: Sendable {
    public var status: Int
    public var body: Data
    public var headers: [String: String]

    public init(status: Int, body: Data, headers: [String: String] = [:]) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    /// The body as UTF-8 text, or a named error.
    public func text(from url: URL) throws -> String {
        guard let text = String(data: body, encoding: .utf8) else {
            throw DataSourceError.malformedDocument(location: url.absoluteString, reason: "body is not UTF-8")
        }
        return text
    }
}

/// A single HTTP attempt. The production one uses URLSession; tests may substitute.
public protocol HTTPTransport: Sendable {
    /// Sends one request. Throws `DataSourceError.timedOut` when nothing arrives within
    /// `timeout` seconds of inactivity, `.documentTooLarge` as soon as the body passes
    /// `maxBytes` (the transfer is cancelled, not buffered), `.transport` otherwise.
    func send(_ request: HTTPRequestSpec, timeout: Double, maxBytes: Int) async throws -> HTTPReply
}
