import Foundation
import NIOCore
import NIOHTTP1

/// One connection: collects a request, asks the router, then answers (after the
/// configured latency, through `MockResponseWriter`), hangs, or drops the connection.
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
        let request = MockRequest(
            method: head.method.rawValue, path: path, hadTrailingSlash: trailing, headers: headers, body: body,
            remotePort: context.remoteAddress?.port, query: MockRequest.query(of: head.uri))
        let state = router.state
        func log(_ status: Int) {
            state.record(
                RequestLogEntry(
                    method: request.method, path: path, status: status, start: started,
                    end: Date().timeIntervalSince1970, token: headers[EC2Routes.tokenHeader] != nil,
                    bodyBytes: request.body.count, domuRequest: headers[CloudStackPasswordRoutes.header],
                    query: request.query.isEmpty ? nil : request.query,
                    healthReport: AzureRoutes.recordedHealthReport(request, status: status)))
        }
        let action = router.route(request)
        switch action {
        case .hang:
            log(-1)
        case .drop:
            log(-1)
            context.close(promise: nil)
        case .respond, .trickle, .stream, .headersThenSilence:
            let latency = state.faults.latencyMilliseconds
            let writer = MockResponseWriter(
                context: context, version: head.version, keepAlive: head.isKeepAlive,
                omitBody: request.method == "HEAD")
            let answer = {
                // Logged before the reply goes out, so a client that has its answer can
                // already read the line about it.
                log(action.status)
                writer.answer(action)
            }
            if latency > 0 {
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(latency))) { answer() }
            } else {
                answer()
            }
        }
    }
}
