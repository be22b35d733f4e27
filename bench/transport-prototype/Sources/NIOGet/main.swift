import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix

// Usage: NIOGet HOST PORT PATH. One GET over NIO's HTTP/1.1 client pipeline, prints the
// status and the body size: the least an NIO transport needs (no TLS, no pool, no redirects).
final class GetHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    let done: EventLoopPromise<(UInt, Int)>
    var status: UInt = 0
    var bytes = 0
    init(done: EventLoopPromise<(UInt, Int)>) { self.done = done }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = head.status.code
        case .body(let buffer): bytes += buffer.readableBytes
        case .end:
            done.succeed((status, bytes))
            context.close(promise: nil)
        }
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }
}

let arguments = CommandLine.arguments
let host = arguments.count > 1 ? arguments[1] : "127.0.0.1"
let port = arguments.count > 2 ? Int(arguments[2]) ?? 8080 : 8080
let path = arguments.count > 3 ? arguments[3] : "/"
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let done = group.next().makePromise(of: (UInt, Int).self)
let channel = try ClientBootstrap(group: group)
    .connectTimeout(.seconds(5))
    .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.pipeline.syncOperations.addHandler(GetHandler(done: done))
        }
    }
    .connect(host: host, port: port).wait()
var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
head.headers.add(name: "Host", value: "\(host):\(port)")
channel.write(HTTPClientRequestPart.head(head), promise: nil)
try channel.writeAndFlush(HTTPClientRequestPart.end(nil)).wait()
let (status, bytes) = try done.futureResult.wait()
print("status \(status) body \(bytes) bytes")
try group.syncShutdownGracefully()
exit(status == 200 ? 0 : 1)
