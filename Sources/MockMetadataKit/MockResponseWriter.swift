import Foundation
import NIOCore
import NIOHTTP1

/// Writes one answer on a connection. Used only on the connection's event loop (it holds
/// the handler context), so closures that capture it run there too.
struct MockResponseWriter {
    let context: ChannelHandlerContext
    let version: HTTPVersion
    let keepAlive: Bool
    /// Answering a HEAD request: the head only, never a body.
    let omitBody: Bool

    /// Carries out `action` (hang and drop are the handler's; nothing is written for them).
    func answer(_ action: MockAction) {
        switch action {
        case .respond(let response): write(response)
        case .trickle(let response, let interval): trickle(response, intervalMilliseconds: interval)
        case .stream(let stream): self.stream(stream)
        case .headersThenSilence: headersThenSilence()
        case .hang, .drop: break
        }
    }

    /// The whole response at once.
    func write(_ response: MockResponse) {
        context.write(head(for: response), promise: nil)
        if !omitBody && !response.body.isEmpty {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(Self.wrap(.body(.byteBuffer(buffer))), promise: nil)
        }
        finish()
    }

    /// The response head for `response`, with its true `Content-Length`.
    func head(for response: MockResponse) -> NIOAny {
        head(
            status: response.status, contentType: response.contentType, contentLength: response.body.count,
            headers: response.headers)
    }

    /// A response head: `Content-Type`, `Content-Length` (none when nil: NIO then frames the
    /// body chunked on HTTP/1.1), `Connection`, then `headers`.
    func head(
        status: Int, contentType: String, contentLength: Int?, headers extra: [String: String] = [:],
        close: Bool = false
    ) -> NIOAny {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        if let contentLength { headers.add(name: "Content-Length", value: String(contentLength)) }
        headers.add(name: "Connection", value: keepAlive && !close ? "keep-alive" : "close")
        for (name, value) in extra { headers.add(name: name, value: value) }
        return Self.wrap(
            .head(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)))
    }

    /// Ends the response and flushes; closes the connection afterwards unless it is kept alive.
    func finish(close: Bool = false) {
        let done = context.writeAndFlush(Self.wrap(.end(nil)))
        if !keepAlive || close {
            let context = self.context
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    static func wrap(_ part: HTTPServerResponsePart) -> NIOAny { NIOAny(part) }
}
