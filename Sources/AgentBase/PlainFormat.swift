#if canImport(Glibc)
import Glibc
#endif

/// Number formatting without `String(format:)`, which goes through CoreFoundation's
/// formatter and links FoundationInternationalization, and with it ICU's 34 MB of data
/// (README, Performance). Output is what the `String(format:)` calls it replaces printed.
public enum PlainFormat {
    /// Lowercase hexadecimal, two digits a byte (`%02x` each).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var result: [UInt8] = []
        for byte in bytes {
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Uppercase hexadecimal, at least `width` digits (`%0*X`).
    public static func upperHex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `%.1f` (durations, sizes), printed by the C library.
    public static func oneDecimal(_ value: Double) -> String { printf("%.1f", value) }

    /// `%g` (seconds waited: 0.5, 2, 30), printed by the C library.
    public static func shortDecimal(_ value: Double) -> String { printf("%g", value) }

    /// The C library's `snprintf` for one double: the same digits `String(format:)` printed,
    /// without CoreFoundation's formatter (and ICU) behind it.
    private static func printf(_ format: String, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = withVaList([value]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, arguments) }
        }
        guard count > 0 else { return "\(value)" }
        return String(
            decoding: buffer.prefix(min(Int(count), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
