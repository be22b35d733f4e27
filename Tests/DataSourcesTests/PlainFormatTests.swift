import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// The ICU-free formatting against what it replaces: Foundation's `String(format:)` and
/// `DateFormatter` (fine in tests; the agent must not link them), on random and edge values.
@Suite struct PlainFormatTests {
    @Test func hexMatchesPercent02x() {
        var rng = SplitMix64(seed: 0x4845_58)
        for _ in 0..<200 {
            let bytes = rng.bytes(rng.int(in: 0...40))
            #expect(PlainFormat.hex(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        }
        for value: UInt32 in [0, 0x7F, 0xFFFD, 0x1F600, 0x10FFFF] {
            #expect(PlainFormat.upperHex(value, width: 4) == String(format: "%04X", value))
        }
    }

    @Test func oneDecimalMatchesPercentPoint1f() {
        var rng = SplitMix64(seed: 0x2E31_66)
        let edges: [Double] = [0, 0.05, 0.04, 0.95, 1.25, 9.99, 10, 123.456, 1023.9, 1_000_000.5]
        for value in edges + (0..<500).map({ _ in Double(rng.int(in: 0...2_000_000)) / 1000 }) {
            #expect(PlainFormat.oneDecimal(value) == String(format: "%.1f", value), "\(value)")
        }
    }

    @Test func shortDecimalMatchesPercentG() {
        var rng = SplitMix64(seed: 0x2567)
        let edges: [Double] = [0, 0.5, 2, 30, 0.1, 1.25, 12.345678, 0.001234567, 99999.95]
        for value in edges + (0..<500).map({ _ in Double(rng.int(in: 0...10_000_000)) / 1000 }) {
            #expect(PlainFormat.shortDecimal(value) == String(format: "%g", value), "\(value)")
        }
    }

    @Test func timestampsMatchFoundation() {
        var rng = SplitMix64(seed: 0x5443)
        let rfc = DateFormatter()
        rfc.locale = Locale(identifier: "en_US_POSIX")
        rfc.timeZone = TimeZone(identifier: "UTC")
        rfc.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        for seconds in [0, 86400 * 365, 951_782_400, 4_102_444_799]
            + (0..<300).map({ _ in rng.int(in: 0...4_000_000_000) })
        {
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(UTCTimestamp.rfc2822(secondsSinceEpoch: seconds) == rfc.string(from: date))
            #expect(UTCTimestamp.format(secondsSinceEpoch: seconds) == date.formatted(.iso8601))
        }
    }
}
