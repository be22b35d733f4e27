import Foundation
import Testing

@testable import DataSources

/// The reply framing of `SocketTransport`, byte by byte: what a lying or broken server can
/// send, and what a real one sends in pieces.
struct HTTPResponseReaderTests {
    /// Feeds `wire` in pieces of `piece` bytes, then closes if the reply is not complete.
    static func read(
        _ wire: String, piece: Int = .max, maxBody: Int = 1 << 20, head: Bool = false, close: Bool = true
    ) throws -> HTTPResponseReader {
        var reader = HTTPResponseReader(maxBodyBytes: maxBody, isHeadRequest: head)
        let bytes = Array(wire.utf8)
        var offset = 0
        while offset < bytes.count, !reader.isComplete {
            let end = min(bytes.count, offset + min(piece, bytes.count - offset))
            let piece = Array(bytes[offset..<end])
            try piece.withUnsafeBytes { try reader.consume($0) }
            offset = end
        }
        if close, !reader.isComplete { try reader.finishAtClose() }
        return reader
    }

    static func body(_ reader: HTTPResponseReader) -> String { String(decoding: reader.body, as: UTF8.self) }

    @Test(arguments: [1, 3, 7, .max])
    func contentLengthFramingWhateverThePieces(piece: Int) throws {
        let reader = try Self.read(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhelloEXTRA", piece: piece,
            close: false)
        #expect(reader.isComplete && reader.status == 200 && Self.body(reader) == "hello")
        #expect(reader.headers["content-type"] == "text/plain")
    }

    @Test(arguments: [1, 2, 5, .max])
    func chunkedFramingWithExtensionsAndTrailers(piece: Int) throws {
        let wire =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=x\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n"
        let reader = try Self.read(wire, piece: piece, close: false)
        #expect(reader.isComplete && Self.body(reader) == "Wikipedia")
    }

    @Test func interimRepliesAreSkippedAndLoneLineFeedsAccepted() throws {
        let reader = try Self.read(
            "HTTP/1.1 100 Continue\n\nHTTP/1.1 404 Not Found\nContent-Length: 0\n\n", close: false)
        #expect(reader.isComplete && reader.status == 404 && reader.body.isEmpty)
    }

    @Test func aBodyWithoutFramingEndsAtClose() throws {
        let open = try Self.read("HTTP/1.0 200 OK\r\n\r\nuntil the end", close: false)
        #expect(!open.isComplete)
        let closed = try Self.read("HTTP/1.0 200 OK\r\n\r\nuntil the end")
        #expect(closed.isComplete && Self.body(closed) == "until the end")
    }

    @Test func headAndNoContentRepliesHaveNoBody() throws {
        #expect(try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", head: true, close: false).isComplete)
        #expect(try Self.read("HTTP/1.1 204 No Content\r\n\r\n", close: false).isComplete)
    }

    @Test func aDeclaredLengthOverTheCapFailsBeforeTheBody() {
        #expect(throws: HTTPWireError.bodyTooLarge) {
            try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n", maxBody: 1024, close: false)
        }
    }

    @Test func chunksOverTheCapFailAsTheyArrive() {
        #expect(throws: HTTPWireError.bodyTooLarge) {
            try Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n", maxBody: 10)
        }
        #expect(throws: HTTPWireError.bodyTooLarge) {
            try Self.read("HTTP/1.0 200 OK\r\n\r\n" + String(repeating: "x", count: 11), maxBody: 10, close: false)
        }
    }

    @Test func anEncodedBodyIsRefused() {
        #expect(throws: HTTPWireError.unexpectedEncoding("gzip")) {
            try Self.read("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc")
        }
        #expect(throws: Never.self) {
            try Self.read("HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\nContent-Length: 3\r\n\r\nabc")
        }
    }

    @Test(arguments: [
        "SSH-2.0-OpenSSH_9.2\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc",
    ])
    func garbageIsMalformed(wire: String) {
        #expect {
            try Self.read(wire)
        } throws: { error in
            guard case HTTPWireError.malformed = error else { return false }
            return true
        }
    }

    @Test func anEndlessHeadIsCutAt64KiB() {
        let endless = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 70 << 10)
        #expect(throws: HTTPWireError.malformed("the reply head passes 64 KiB")) {
            try Self.read(endless, piece: 4096, close: false)
        }
    }

    @Test func anEarlyCloseIsTruncation() {
        #expect(throws: HTTPWireError.truncated("the connection closed with no reply")) { try Self.read("") }
        #expect(throws: HTTPWireError.truncated("the connection closed 7 bytes before the end of the body")) {
            try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        }
    }

    @Test func theRequestHeadCarriesHostLengthAndNothingForged() throws {
        let put = HTTPRequestSpec(
            method: "PUT", url: URL(string: "http://[fe80::1]:8080/latest/api/token?a=b%20c")!,
            headers: ["X-Token-TTL": "60", "X-Evil": "1\r\nInjected: yes"])
        let head = HTTPRequestWriter.head(for: put, host: "fe80::1")
        #expect(head.hasPrefix("PUT /latest/api/token?a=b%20c HTTP/1.1\r\nHost: [fe80::1]:8080\r\n"))
        #expect(head.contains("\r\nContent-Length: 0\r\n") && head.contains("\r\nX-Token-TTL: 60\r\n"))
        #expect(!head.contains("Injected") && !head.lowercased().contains("accept-encoding"))
        #expect(head.hasSuffix("Connection: close\r\n\r\n"))
        let get = HTTPRequestWriter.head(for: HTTPRequestSpec(url: URL(string: "http://169.254.169.254")!), host: "x")
        #expect(get.hasPrefix("GET / HTTP/1.1\r\nHost: x\r\n") && !get.contains("Content-Length"))
    }
}
