import FoundationEssentials

/// One MIME entity (RFC 2045/2046) read as bytes: its headers and its raw body. Bytes, not
/// a String, because a body may be binary (gzip) and a charset is applied per part.
struct MIMEEntity: Sendable {
    /// Header names lower-cased; folded (continued) lines joined with a space.
    var headers: [String: String]
    var body: Data

    /// Splits headers from body at the first empty line (CRLF or LF line ends). A header
    /// line without a colon ends the headers there (the rest is body), as mail readers do.
    init(_ data: Data) {
        let bytes = [UInt8](data)
        var headers: [String: String] = [:]
        var lastName: String?
        var position = 0
        while position < bytes.count {
            let end = bytes[position...].firstIndex(of: 0x0A) ?? bytes.count
            var line = bytes[position..<end]
            if line.last == 0x0D { line = line.dropLast() }
            let next = min(end + 1, bytes.count)
            if line.isEmpty {
                position = next
                break
            }
            if line.first == 0x20 || line.first == 0x09, let name = lastName {
                headers[name, default: ""] +=
                    " " + String(decoding: line, as: UTF8.self).trimmingWhitespace()
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                let name = String(decoding: line[..<colon], as: UTF8.self).trimmingWhitespace()
                    .lowercased()
                let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace()
                headers[name] = value
                lastName = name
            } else {
                break
            }
            position = next
        }
        self.headers = headers
        self.body = Data(bytes[min(position, bytes.count)...])
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
    /// Returns nil when no delimiter line is found at all.
    static func splitMultipart(_ body: Data, boundary: String) -> [Data]? {
        let bytes = [UInt8](body)
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [Data] = []
        var partStart: Int?
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            let line = bytes[lineStart..<lineEnd]
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                let closing = rest.starts(with: [0x2D, 0x2D])
                let trailing = closing ? rest.dropFirst(2) : rest
                // Only transport padding (spaces, tabs, CR) may follow a delimiter.
                if trailing.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    if let start = partStart {
                        var end = lineStart
                        if end > start, bytes[end - 1] == 0x0A { end -= 1 }
                        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                        parts.append(Data(bytes[start..<max(start, end)]))
                    }
                    if closing { return parts }
                    partStart = min(lineEnd + 1, bytes.count)
                }
            }
            if lineEnd == bytes.count { break }
            lineStart = lineEnd + 1
        }
        guard let start = partStart else { return nil }
        if start < bytes.count { parts.append(Data(bytes[start...])) }
        return parts
    }
}
