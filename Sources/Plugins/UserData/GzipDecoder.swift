import CZlib
import FoundationEssentials

/// Decompresses gzip user data (RFC 1952, concatenated members too) with zlib, under a cap
/// on the decompressed size.
///
/// Why a cap checked while inflating: user data is capped before decoding, but 1 MiB of
/// gzip can inflate to 1 GiB (a "gzip bomb"). The output is produced in 64 KiB steps and
/// inflation stops as soon as it passes `maxBytes`, so memory never exceeds the cap plus
/// one step, whatever the input claims.
enum GzipDecoder {
    /// The gzip magic bytes.
    static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
    }

    /// The decompressed bytes of `data`, or `UserDataError.decompressedTooLarge` past
    /// `maxBytes`, or `UserDataError.badGzip` for a truncated or corrupt stream.
    static func decompress(_ data: Data, maxBytes: Int, what: String) throws -> Data {
        var stream = z_stream()
        guard ga_inflate_init_gzip(&stream) == Z_OK else { throw UserDataError.badGzip(what, "zlib could not start") }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: chunk)
        let input = [UInt8](data)
        return try input.withUnsafeBufferPointer { inputBuffer -> Data in
            stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress)
            stream.avail_in = uInt(inputBuffer.count)
            while true {
                let status = buffer.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk - Int(stream.avail_out)
                if output.count + produced > maxBytes {
                    throw UserDataError.decompressedTooLarge(what, limit: maxBytes)
                }
                output.append(contentsOf: buffer[0..<produced])
                switch status {
                case Z_STREAM_END:
                    // Concatenated members (what `cat a.gz b.gz` makes) are one gzip file.
                    guard stream.avail_in > 0 else { return output }
                    guard inflateReset(&stream) == Z_OK else {
                        throw UserDataError.badGzip(what, "zlib could not restart")
                    }
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0 && produced == 0:
                    throw UserDataError.badGzip(what, "the gzip data is truncated")
                case Z_BUF_ERROR:
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw UserDataError.badGzip(what, message)
                }
            }
        }
    }
}
