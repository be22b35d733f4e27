import AgentBase
import DataSources
import FoundationEssentials

/// Content-Transfer-Encoding (RFC 2045 6) and charset decoding of one MIME part.
enum TransferDecoding {
    /// Decodes `body` as `encoding` (nil, 7bit, 8bit and binary leave it as it is).
    /// Throws a message (the caller adds which part) for bad input or unknown encodings.
    static func decode(_ body: Data, encoding: String?) throws(UserDataDecodingError) -> Data {
        switch encoding?.lowercased().trimmingWhitespace() {
        case nil, "", "7bit", "8bit", "binary":
            return body
        case "base64":
            // Line breaks and spaces are allowed anywhere in MIME base64; anything else is not.
            let compact = body.filter { !($0 == 0x0A || $0 == 0x0D || $0 == 0x20 || $0 == 0x09) }
            guard let decoded = Data(base64Encoded: compact) else {
                throw UserDataDecodingError("its base64 content is not valid base64")
            }
            return decoded
        case "quoted-printable":
            return try quotedPrintable(body)
        case let other?:
            throw UserDataDecodingError(
                "Content-Transfer-Encoding '\(TextPreview.line(other))' is not supported (7bit, 8bit, binary, base64, quoted-printable)"
            )
        }
    }

    /// RFC 2045 6.7: `=XX` is one byte, `=` at the end of a line joins it to the next.
    static func quotedPrintable(_ body: Data) throws(UserDataDecodingError) -> Data {
        let bytes = [UInt8](body)
        var output = Data(capacity: bytes.count)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "=") else {
                output.append(byte)
                index += 1
                continue
            }
            // Soft line break: "=" then optional spaces, then CRLF or LF (or the end).
            var after = index + 1
            while after < bytes.count, bytes[after] == 0x20 || bytes[after] == 0x09 { after += 1 }
            if after == bytes.count { break }
            if bytes[after] == 0x0A {
                index = after + 1
                continue
            }
            if bytes[after] == 0x0D, after + 1 < bytes.count, bytes[after + 1] == 0x0A {
                index = after + 2
                continue
            }
            guard index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) else {
                throw UserDataDecodingError("its quoted-printable content has a bad escape at byte \(index)")
            }
            output.append(high << 4 | low)
            index += 3
        }
        return output
    }

    /// Re-encodes text in `charset` as UTF-8 (what scripts and YAML are read as). UTF-8 and
    /// US-ASCII are checked, not converted; a charset not listed here fails the part by
    /// name rather than running bytes that mean something else.
    static func toUTF8(_ text: Data, charset: String?) throws(UserDataDecodingError) -> Data {
        guard let charset = charset?.lowercased().trimmingWhitespace(), !charset.isEmpty else {
            return text
        }
        let encoding: String.Encoding
        switch charset {
        case "utf-8", "utf8", "us-ascii", "ascii":
            guard String(data: text, encoding: .utf8) != nil else {
                throw UserDataDecodingError("it declares charset \(charset) but is not valid UTF-8")
            }
            return text
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1": encoding = .isoLatin1
        case "windows-1252", "cp1252": encoding = .windowsCP1252
        case "utf-16": encoding = .utf16
        case "utf-16le": encoding = .utf16LittleEndian
        case "utf-16be": encoding = .utf16BigEndian
        default:
            throw UserDataDecodingError(
                "charset '\(TextPreview.line(charset))' is not supported (utf-8, us-ascii, iso-8859-1, windows-1252, utf-16)"
            )
        }
        guard let string = String(data: text, encoding: encoding) else {
            throw UserDataDecodingError("its content is not valid \(charset)")
        }
        return Data(string.utf8)
    }
}

/// Why one part could not be decoded (the part becomes `.invalid` with this message).
struct UserDataDecodingError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
