import FoundationEssentials

/// Turns raw user data into its parts: gzip (by magic bytes), MIME multipart (nested),
/// transfer encodings and charsets, then each part's kind. Pure: it reads bytes and
/// returns values, runs and writes nothing, so `--dry-run` and the tests use it as is.
///
/// Limits, so hostile user data cannot exhaust memory: the raw size is checked before
/// anything is decoded; every gzip layer and decoded part counts against one budget of
/// decoded bytes; nesting is capped at every level before it is entered, and the number of
/// parts is capped. MIME bodies are slices of the input, never copies, so memory stays in
/// proportion to the user data.
struct UserDataParser: Sendable {
    /// Largest raw user data accepted (the sources' cap, checked again here).
    var maxRawBytes: Int
    /// Largest total of decoded bytes (all gzip layers and parts together).
    var maxDecodedBytes: Int
    var maxDepth = 8
    var maxParts = 1000

    init(maxRawBytes: Int = 1 << 20, maxDecodedBytes: Int = 16 << 20) {
        self.maxRawBytes = maxRawBytes
        self.maxDecodedBytes = maxDecodedBytes
    }

    /// The parts of `data`, in order. Throws for what makes the whole user data unusable
    /// (too large, bad gzip, too deep); a part that cannot be decoded becomes `.invalid`
    /// and the others are still returned.
    func parse(_ data: Data) throws -> [UserDataPart] {
        guard data.count <= maxRawBytes else { throw UserDataError.tooLarge(bytes: data.count, limit: maxRawBytes) }
        var walk = Walk(parser: self)
        try walk.entity(data, index: [], depth: 0, declaredType: nil, filename: nil)
        return walk.parts
    }

    /// The state of one parse: the parts found and the decoded-bytes budget left.
    private struct Walk {
        let parser: UserDataParser
        var parts: [UserDataPart] = []
        var decodedBytes = 0

        mutating func add(_ part: UserDataPart) throws {
            guard parts.count < parser.maxParts else { throw UserDataError.tooManyParts(limit: parser.maxParts) }
            decodedBytes += part.content.count
            guard decodedBytes <= parser.maxDecodedBytes else {
                throw UserDataError.decompressedTooLarge("user data", limit: parser.maxDecodedBytes)
            }
            var part = part
            // A part's content may be a slice of the whole user data (`MIMEEntity`): the
            // parts returned own their bytes and are indexed from 0, as their readers expect.
            part.content = Data(part.content)
            parts.append(part)
        }

        static func label(_ index: [Int]) -> String {
            index.isEmpty ? "1" : index.map(String.init).joined(separator: ".")
        }

        /// One entity: a whole user data (`declaredType` nil) or a part's decoded content.
        mutating func entity(_ data: Data, index: [Int], depth: Int, declaredType: String?, filename: String?) throws {
            let place = index.isEmpty ? "user data" : "part \(Self.label(index))"
            guard depth <= parser.maxDepth else { throw UserDataError.tooDeep(place, limit: parser.maxDepth) }
            var data = data
            if GzipDecoder.isGzip(data) {
                data = try GzipDecoder.decompress(data, maxBytes: parser.maxDecodedBytes - decodedBytes, what: place)
                let type = declaredType.flatMap { Self.isGzipType($0) ? nil : $0 }
                return try entity(data, index: index, depth: depth + 1, declaredType: type, filename: filename)
            }
            if declaredType == nil, UserDataDetector.looksLikeMIME(data) {
                return try message(MIMEEntity(data), index: index, depth: depth)
            }
            let type = declaredType ?? UserDataDetector.detectedType(data)
            let kind = UserDataDetector.kind(contentType: type, content: data)
            try add(
                UserDataPart(index: Self.label(index), contentType: type, filename: filename, kind: kind, content: data)
            )
        }

        /// A MIME entity: multipart (each body part in turn) or a single typed part.
        ///
        /// The depth is checked here, before anything of this level is read: checked only
        /// at the innermost part, 10,000 levels were all walked first (issue 29).
        mutating func message(_ mime: MIMEEntity, index: [Int], depth: Int) throws {
            let label = Self.label(index)
            guard depth <= parser.maxDepth else {
                throw UserDataError.tooDeep(index.isEmpty ? "user data" : "part \(label)", limit: parser.maxDepth)
            }
            let type = mime.mediaType
            if let type, type.hasPrefix("multipart/") {
                guard let boundary = mime.contentTypeParameter("boundary"), !boundary.isEmpty,
                    let bodies = MIMEEntity.splitMultipart(mime.body, boundary: boundary)
                else {
                    return try add(
                        UserDataPart(
                            index: label, contentType: type, filename: mime.filename,
                            kind: .invalid("\(type) without a boundary that its body uses"), content: mime.body))
                }
                for (offset, body) in bodies.enumerated() {
                    let child = index + [offset + 1]
                    try message(MIMEEntity(body), index: child, depth: depth + 1)
                }
                return
            }
            let declared = type ?? "text/plain"
            var content: Data
            do {
                content = try TransferDecoding.decode(mime.body, encoding: mime.headers["content-transfer-encoding"])
                if !GzipDecoder.isGzip(content), declared.hasPrefix("text/") || declared == "application/octet-stream" {
                    content = try TransferDecoding.toUTF8(content, charset: mime.contentTypeParameter("charset"))
                }
            } catch {
                return try add(
                    UserDataPart(
                        index: label, contentType: declared, filename: mime.filename,
                        kind: .invalid(error.message), content: mime.body))
            }
            // Generic types say nothing: the first line decides, as for a whole user data.
            let typed = UserDataDetector.isGeneric(declared) ? nil : declared
            if typed == nil, !GzipDecoder.isGzip(content), UserDataDetector.looksLikeMIME(content) {
                return try message(MIMEEntity(content), index: index, depth: depth + 1)
            }
            try entity(content, index: index, depth: depth + 1, declaredType: typed, filename: mime.filename)
        }

        static func isGzipType(_ type: String) -> Bool { type == "application/x-gzip" || type == "application/gzip" }
    }
}
