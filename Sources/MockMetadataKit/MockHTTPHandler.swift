import Foundation
import NIOCore
import NIOHTTP1

/// One connection: collects a request, asks the router, then answers (after the
/// configured latency), hangs, or drops the connection.
final class MockHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: MockRouter
    private var head: HTTPRequestHead?
    private var body = Data()

    init(router: MockRouter) {
        self.router = router
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = Data()
        case .body(let buffer):
            // Bodies are tiny (password POSTs); cap to keep a hostile client from growing us.
            if body.count < 1 << 20 { body.append(contentsOf: buffer.readableBytesView) }
        case .end:
            guard let head else { return }
            self.head = nil
            handle(head, context: context)
        }
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let started = Date().timeIntervalSince1970
        let (path, trailing) = MockRequest.normalize(head.uri)
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = value }
        let request = MockRequest(method: head.method.rawValue, path: path, hadTrailingSlash: trailing, headers: headers, body: body)
        let state = router.state
        func log(_ status: Int) {
            state.record(RequestLogEntry(method: request.method, path: path, status: status, start: started,
                                         end: Date().timeIntervalSince1970, token: headers[EC2Routes.tokenHeader] != nil,
                                         bodyBytes: request.body.count))
        }
        switch router.route(request) {
        case .hang:
            log(-1)
        case .drop:
            log(-1)
            context.close(promise: nil)
        case .respond(let response):
            let latency = state.faults.latencyMilliseconds
            let keepAlive = head.isKeepAlive
            let write = { (context: ChannelHandlerContext) in
                // Logged before the reply goes out, so a client that has its answer can
                // already read the line about it.
                log(response.status)
                self.write(response, version: head.version, keepAlive: keepAlive, omitBody: request.method == "HEAD", context: context)
            }
            if latency > 0 {
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(latency))) { write(context) }
            } else {
                write(context)
            }
        }
    }

    private func write(_ response: MockResponse, version: HTTPVersion, keepAlive: Bool, omitBody: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if !omitBody && !response.body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in loopBoundContext.value.close(promise: nil) }
        }
    }
}
