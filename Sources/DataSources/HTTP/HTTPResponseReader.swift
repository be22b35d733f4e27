import FoundationEssentials

/// What can be wrong with the bytes of a reply, before a URL is attached to it.
enum HTTPWireError: Error, Equatable {
    /// The body (declared or received) passes the cap.
    case bodyTooLarge
    /// Not HTTP/1.x as RFC 9112 frames it; the reason names the part.
    case malformed(String)
    /// A `Content-Encoding` other than identity: we never ask for one, and a decoded size
    /// would escape the cap.
    case unexpectedEncoding(String)
    /// The connection closed before the framing said the reply was complete.
    case truncated(String)
}

/// Reads one HTTP/1.1 reply as its bytes arrive (RFC 9112), holding at most `maxBodyBytes`
/// of body and `maxHeadBytes` of head, whatever the server sends.
///
/// Framing, in RFC 9112 §6.3's order: no body for a HEAD, a 1xx, 204 or 304; chunked when
/// `Transfer-Encoding` says so; `Content-Length` (a value above the cap fails at once,
/// before a byte of body is read); otherwise the body ends when the connection closes.
/// 1xx interim replies are skipped. Chunk extensions and trailers are read and dropped.
/// Header names come out lower case; a repeated header keeps its last value.
struct HTTPResponseReader {
    static let maxHeadBytes = 64 << 10
    /// A chunk-size line longer than this is not a size (hex digits and an extension).
    static let maxChunkLineBytes = 4096

    private enum Stage {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    let maxBodyBytes: Int
    let isHeadRequest: Bool
    private(set) var status = 0
    private(set) var headers: [String: String] = [:]
    private(set) var body = Data()
    private var stage = Stage.head
    private var pending: [UInt8] = []
    private var trailerBytes = 0
    /// `pending` holds no line end before this index (past the current offset).
    private var scannedUpTo = 0

    init(maxBodyBytes: Int, isHeadRequest: Bool) {
        self.maxBodyBytes = maxBodyBytes
        self.isHeadRequest = isHeadRequest
    }

    var isComplete: Bool {
        if case .done = stage { return true }
        return false
    }

    /// Takes the next bytes off the wire.
    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(HTTPWireError) {
        pending.append(contentsOf: bytes)
        var offset = 0
        defer {
            pending.removeFirst(offset)
            if offset > 0 { scannedUpTo = 0 }
        }
        while !isComplete, try step(&offset) {}
    }

    /// The connection closed: the reply is complete only if its framing allows that.
    mutating func finishAtClose() throws(HTTPWireError) {
        switch stage {
        case .done: return
        case .untilClose: stage = .done
        case .head:
            throw pending.isEmpty && status == 0
                ? .truncated("the connection closed with no reply")
                : .truncated("the connection closed inside the reply head")
        case .fixedBody(let remaining):
            throw .truncated("the connection closed \(remaining) bytes before the end of the body")
        default:
            throw .truncated("the connection closed inside the chunked body")
        }
    }

    /// One step of the reply; false when it needs more bytes first.
    private mutating func step(_ offset: inout Int) throws(HTTPWireError) -> Bool {
        let available = pending.count - offset
        switch stage {
        case .head:
            guard let end = lineEnd(from: offset, blankLine: true) else {
                if available > Self.maxHeadBytes { throw .malformed("the reply head passes 64 KiB") }
                return false
            }
            guard end.next - offset <= Self.maxHeadBytes else { throw .malformed("the reply head passes 64 KiB") }
            try readHead(pending[offset..<end.start])
            offset = end.next
        case .fixedBody(let remaining):
            guard remaining == 0 || available > 0 else { return false }
            let take = min(remaining, available)
            try appendBody(pending[offset..<(offset + take)])
            offset += take
            stage = remaining == take ? .done : .fixedBody(remaining: remaining - take)
        case .untilClose:
            guard available > 0 else { return false }
            try appendBody(pending[offset...])
            offset = pending.count
        case .chunkSize:
            guard let end = lineEnd(from: offset, blankLine: false) else {
                if available > Self.maxChunkLineBytes { throw .malformed("a chunk-size line passes 4 KiB") }
                return false
            }
            let line = String(decoding: pending[offset..<end.start], as: UTF8.self)
            let digits = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingWhitespace() } ?? ""
            guard !digits.isEmpty, digits.count <= 15, let size = Int(digits, radix: 16), size >= 0 else {
                throw .malformed("bad chunk size '\(line.prefix(40))'")
            }
            offset = end.next
            guard size <= maxBodyBytes - body.count else { throw .bodyTooLarge }
            stage = size == 0 ? .trailers : .chunkData(remaining: size)
        case .chunkData(let remaining):
            guard available > 0 else { return false }
            let take = min(remaining, available)
            try appendBody(pending[offset..<(offset + take)])
            offset += take
            stage = remaining == take ? .chunkDataEnd : .chunkData(remaining: remaining - take)
        case .chunkDataEnd:
            guard available >= 2 else { return false }
            guard pending[offset] == 13, pending[offset + 1] == 10 else {
                throw .malformed("a chunk is not followed by CRLF")
            }
            offset += 2
            stage = .chunkSize
        case .trailers:
            guard let end = lineEnd(from: offset, blankLine: false) else {
                if trailerBytes + available > Self.maxHeadBytes { throw .malformed("the trailers pass 64 KiB") }
                return false
            }
            trailerBytes += end.next - offset
            guard trailerBytes <= Self.maxHeadBytes else { throw .malformed("the trailers pass 64 KiB") }
            if end.start == offset { stage = .done }
            offset = end.next
        case .done:
            return false
        }
        return true
    }

    /// Where the next line (or, with `blankLine`, the head up to its empty line) ends:
    /// `start` before the CRLF (or lone LF, which RFC 9112 §2.2 lets a recipient accept),
    /// `next` after it.
    /// Resumes where the last search stopped, so a head trickled one byte at a time is not
    /// scanned again from its start for every byte.
    private mutating func lineEnd(from offset: Int, blankLine: Bool) -> (start: Int, next: Int)? {
        var index = max(offset, scannedUpTo)
        while index < pending.count {
            if pending[index] == 10 {
                let start = index > offset && pending[index - 1] == 13 ? index - 1 : index
                if !blankLine { return (start, index + 1) }
                // The head ends at a line that is empty: LF directly after the previous line's end.
                if index > offset, pending[index - 1] == 10 { return (index - 1, index + 1) }
                if index > offset + 1, pending[index - 1] == 13, pending[index - 2] == 10 {
                    return (index - 2, index + 1)
                }
            }
            index += 1
        }
        scannedUpTo = pending.count
        return nil
    }

    private mutating func readHead(_ bytes: ArraySlice<UInt8>) throws(HTTPWireError) {
        // Split on the LF byte: as a Swift Character, CR LF is one grapheme, not two.
        var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map {
            String(decoding: $0.last == 13 ? $0.dropLast() : $0, as: UTF8.self)
        }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let code = Int(parts[1]),
            (100...599).contains(code)
        else { throw .malformed("the status line is '\(statusLine.prefix(60))'") }
        var fields: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                !line[..<colon].contains(where: { $0 == " " || $0 == "\t" })
            else { throw .malformed("a header line is '\(line.prefix(60))'") }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingWhitespace()
        }
        if (100...199).contains(code) { return }  // interim reply: the real one follows
        status = code
        headers = fields
        if let encoding = fields["content-encoding"], encoding.lowercased() != "identity" {
            throw .unexpectedEncoding(encoding)
        }
        stage = try bodyStage(code: code, fields: fields)
    }

    private func bodyStage(code: Int, fields: [String: String]) throws(HTTPWireError) -> Stage {
        if isHeadRequest || code == 204 || code == 304 { return .done }
        if let coding = fields["transfer-encoding"] {
            guard coding.lowercased().split(separator: ",").last?.trimmingWhitespace() == "chunked" else {
                throw .malformed("Transfer-Encoding '\(coding)' is not chunked")
            }
            return .chunkSize
        }
        if let declared = fields["content-length"] {
            guard let length = Int(declared), length >= 0 else {
                throw .malformed("Content-Length is '\(declared.prefix(40))'")
            }
            guard length <= maxBodyBytes else { throw .bodyTooLarge }
            return .fixedBody(remaining: length)
        }
        return .untilClose
    }

    private mutating func appendBody(_ bytes: ArraySlice<UInt8>) throws(HTTPWireError) {
        guard bytes.count <= maxBodyBytes - body.count else { throw .bodyTooLarge }
        body.append(contentsOf: bytes)
    }
}
