import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// One MIME entity (RFC 2045/2046) read as bytes: its headers and its raw body. Bytes, not
/// a String, because a body may be binary (gzip) and a charset is applied per part.
///
/// The body is a slice of the bytes given (`Data` slices share their storage), and so are
/// the parts `splitMultipart` returns: nested multiparts cost no copy per level, so memory
/// stays in proportion to the user data however deep it nests (issue 29: each level copied
/// its body twice, and 300 KB of nesting took 1.65 GB). A slice keeps its parent's indices.
struct MIMEEntity: Sendable {
    /// Header names lower-cased; folded (continued) lines joined with a space.
    var headers: [String: String]
    var body: Data

    /// Splits headers from body at the first empty line (CRLF or LF line ends). A header
    /// line without a colon ends the headers there (the rest is body), as mail readers do.
    init(_ data: Data) {
        var headers: [String: String] = [:]
        var lastName: String?
        var position = data.startIndex
        while position < data.endIndex {
            let end = Self.lineFeed(in: data, from: position)
            var line = data[position..<end]
            if line.last == 0x0D { line = line.dropLast() }
            let next = min(end + 1, data.endIndex)
            if line.isEmpty {
                position = next
                break
            }
            if line.first == 0x20 || line.first == 0x09, let name = lastName {
                headers[name, default: ""] += " " + String(decoding: line, as: UTF8.self).trimmingWhitespace()
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                let name = String(decoding: line[..<colon], as: UTF8.self).trimmingWhitespace().lowercased()
                let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace()
                headers[name] = value
                lastName = name
            } else {
                break
            }
            position = next
        }
        self.headers = headers
        self.body = data[min(position, data.endIndex)...]
    }

    /// The media type, lower-cased, without parameters (`text/x-shellscript`); nil when absent.
    var mediaType: String? {
        headers["content-type"].map { Self.splitParameters($0).value.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A parameter of Content-Type (`boundary`, `charset`), quotes removed.
    func contentTypeParameter(_ name: String) -> String? {
        headers["content-type"].flatMap { Self.splitParameters($0).parameters[name] }
    }

    /// The `filename` of Content-Disposition (or `name` of Content-Type).
    var filename: String? {
        headers["content-disposition"].flatMap { Self.splitParameters($0).parameters["filename"] }
            ?? contentTypeParameter("name")
    }

    /// `value; key=value; key="quoted; value"` into the value and its parameters (keys lower-cased).
    static func splitParameters(_ header: String) -> (value: String, parameters: [String: String]) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        for character in header {
            if character == "\"" { quoted.toggle() }
            if character == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let key = piece[..<equals].trimmingWhitespace().lowercased()
            var value = piece[piece.index(after: equals)...].trimmingWhitespace()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            parameters[key] = value
        }
        return (pieces[0].trimmingWhitespace(), parameters)
    }

    /// The body parts of a multipart body (RFC 2046 5.1.1): the bytes between delimiter
    /// lines `--boundary`, up to the close delimiter `--boundary--` (or the end, tolerated
    /// as mail readers do). The line break before a delimiter belongs to the delimiter.
    /// Returns nil when no delimiter line is found at all. The parts are slices of `body`.
    static func splitMultipart(_ body: Data, boundary: String) -> [Data]? {
        let delimiter = Array(("--" + boundary).utf8)
        let ranges = body.withUnsafeBytes { partRanges($0, delimiter: delimiter) }
        return ranges?.map { body[(body.startIndex + $0.lowerBound)..<(body.startIndex + $0.upperBound)] }
    }

    /// The offsets of the body parts in `bytes` (see `splitMultipart`). Over raw bytes, with
    /// memchr and memcmp: a slice per line made 10,000 levels of nesting take seconds.
    static func partRanges(_ bytes: UnsafeRawBufferPointer, delimiter: [UInt8]) -> [Range<Int>]? {
        var parts: [Range<Int>] = []
        var partStart: Int?
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = lineFeed(in: bytes, from: lineStart)
            if lineEnd - lineStart >= delimiter.count, let base = bytes.baseAddress,
                memcmp(base + lineStart, delimiter, delimiter.count) == 0
            {
                var position = lineStart + delimiter.count
                let closing = lineEnd - position >= 2 && bytes[position] == 0x2D && bytes[position + 1] == 0x2D
                if closing { position += 2 }
                // Only transport padding (spaces, tabs, CR) may follow a delimiter.
                while position < lineEnd, [0x20, 0x09, 0x0D].contains(bytes[position]) { position += 1 }
                if position == lineEnd {
                    if let start = partStart {
                        var end = lineStart
                        if end > start, bytes[end - 1] == 0x0A { end -= 1 }
                        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                        parts.append(start..<max(start, end))
                    }
                    if closing { return parts }
                    partStart = min(lineEnd + 1, bytes.count)
                }
            }
            if lineEnd == bytes.count { break }
            lineStart = lineEnd + 1
        }
        guard let start = partStart else { return nil }
        if start < bytes.count { parts.append(start..<bytes.count) }
        return parts
    }

    /// The index of the first LF in `data` at or after `start`, else `data.endIndex`. With
    /// memchr: a byte-by-byte walk of a megabyte is slow in a debug build.
    static func lineFeed(in data: Data, from start: Data.Index) -> Data.Index {
        guard start < data.endIndex else { return data.endIndex }
        return data[start...].withUnsafeBytes { start + lineFeed(in: $0, from: 0) }
    }

    /// The offset of the first LF in `bytes` at or after `start`, else `bytes.count`.
    static func lineFeed(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard start < bytes.count, let base = bytes.baseAddress,
            let found = memchr(base + start, 0x0A, bytes.count - start)
        else { return bytes.count }
        return UnsafeRawPointer(found) - base
    }
}
