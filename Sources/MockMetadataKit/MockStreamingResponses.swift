import Foundation
import NIOCore
import NIOHTTP1

/// The answers that take their time: a trickled body, a 1 GiB stream, a head then silence.
/// All of them run on the event loop (scheduled tasks and write completions), never
/// blocking a thread, and stop once the client closes the connection.
extension MockResponseWriter {
    /// `response` with its true `Content-Length`, the body sent one byte per interval.
    func trickle(_ response: MockResponse, intervalMilliseconds: Int) {
        context.writeAndFlush(head(for: response), promise: nil)
        guard !omitBody && !response.body.isEmpty else { return finish() }
        let loop = context.eventLoop.assumeIsolated()
        let delay = TimeAmount.milliseconds(Int64(max(intervalMilliseconds, 0)))
        func sendByte(of remaining: ByteBuffer) {
            loop.scheduleTask(in: delay) {
                guard context.channel.isActive else { return }
                var rest = remaining
                guard let byte = rest.readSlice(length: 1) else { return }
                context.writeAndFlush(Self.wrap(.body(.byteBuffer(byte))), promise: nil)
                if rest.readableBytes == 0 { finish() } else { sendByte(of: rest) }
            }
        }
        sendByte(of: context.channel.allocator.buffer(bytes: response.body))
    }

    /// A 200 whose body is `stream.totalBytes` zeros. Each chunk is written when the
    /// previous write has completed (the socket took it), so memory stays flat however
    /// slowly the client reads. Without a length on HTTP/1.0 the close ends the body.
    func stream(_ stream: MockStream) {
        let isHTTP11 = version.major > 1 || (version.major == 1 && version.minor >= 1)
        let closeAtEnd = !stream.announcesLength && !isHTTP11
        context.writeAndFlush(
            head(
                status: 200, contentType: "application/octet-stream",
                contentLength: stream.announcesLength ? stream.totalBytes : nil, close: closeAtEnd),
            promise: nil)
        guard !omitBody else { return finish() }
        let chunk = context.channel.allocator.buffer(repeating: 0, count: stream.chunkBytes)
        let loop = context.eventLoop.assumeIsolated()
        func send(from offset: Int) {
            guard context.channel.isActive else { return }
            guard offset < stream.totalBytes else { return finish(close: closeAtEnd) }
            let size = min(stream.chunkBytes, stream.totalBytes - offset)
            let slice = chunk.getSlice(at: chunk.readerIndex, length: size)!
            context.writeAndFlush(Self.wrap(.body(.byteBuffer(slice)))).assumeIsolated().whenComplete { result in
                guard case .success = result else { return }
                // A write can complete inline; going through the loop keeps the stack flat.
                loop.execute { send(from: offset + size) }
            }
        }
        send(from: 0)
    }

    /// A 200 head with `Content-Length: 1000`, then nothing; the connection stays open.
    func headersThenSilence() {
        context.writeAndFlush(
            head(status: 200, contentType: "text/plain; charset=UTF-8", contentLength: 1000), promise: nil)
    }
}
