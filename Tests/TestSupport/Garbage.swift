import Foundation

/// SplitMix64 (Steele, Lea and Flood, 2014): a whole PRNG in one `UInt64` of state, so a
/// failing garbage case is reproduced by its seed alone, on any machine, with any toolchain.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (0 when `bound` is not positive). Plain modulo on purpose:
    /// the tiny bias does not matter here, and the standard library's `random(in:using:)`
    /// algorithm is not promised to stay the same, which would change every case.
    public mutating func below(_ bound: Int) -> Int {
        bound > 0 ? Int(next() % UInt64(bound)) : 0
    }

    /// A number in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `percent`/100.
    public mutating func chance(_ percent: Int) -> Bool {
        below(100) < percent
    }

    /// One element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }

    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<max(0, count)).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

/// Building blocks for hostile input: the characters and tokens parsers get wrong.
public enum Garbage {
    /// Pieces of text that have broken parsers: separators, dots, NUL and other controls,
    /// combining marks (which glue themselves to a preceding `/` into one Character),
    /// prepend marks, bidi overrides, emoji, a BOM, and numbers out of every range.
    public static let atoms: [String] = [
        "a", "Z", "0", "9", "-", "_", " ", "\t", "\0", "\r", "\u{1}", "\u{7F}", "/", ".", "..", "=", ":", "[", "]",
        "#", ";", ",", "\"", "\\", "'", "$", "`", "*", "{", "}", "%", "@", "\u{301}", "é", "日本", "🙂", "\u{202E}",
        "\u{FEFF}", "\u{FFFD}", "\u{600}", "\u{200D}", "-1", "0", "99999999999999999999999", "1e309", "-1e309", "nan",
        "inf", "-0", "0x10", "4294967296", "9223372036854775808", "0.000001", "true", "yes", "http://", "https://x/",
    ]

    /// Random text of up to `maxAtoms` atoms; now and then one atom repeated thousands of times.
    public static func text(_ rng: inout SplitMix64, maxAtoms: Int = 12) -> String {
        if rng.chance(3) { return String(repeating: rng.pick(atoms), count: rng.int(in: 1000...10_000)) }
        return (0..<rng.int(in: 0...maxAtoms)).map { _ in rng.pick(atoms) }.joined()
    }

    /// Path-like text: absolute or not, with `.`, `..`, empty, over-long (NAME_MAX, PATH_MAX)
    /// and unicode components, NUL, and slashes followed by combining marks.
    public static func path(_ rng: inout SplitMix64) -> String {
        let components = [
            ".", "..", "", "a", "var", "log", "x.log", "lib", "guest-agent", "\0", "\u{301}..", "..\u{301}", "\u{301}",
            ".hidden", "...", "é", "日本", " ", "a b", "\t", String(repeating: "c", count: 255),
            String(repeating: "d", count: 256),
            String(repeating: "é", count: 128), String(repeating: "é", count: 127),
        ]
        var path = rng.chance(85) ? "/" : rng.pick(["", ".", "~", "a", "\u{301}/", "//"])
        for index in 0..<rng.int(in: 0...8) {
            if index > 0 { path += rng.pick(["/", "/", "/", "//", "/\u{301}"]) }
            path += rng.chance(80) ? rng.pick(components) : text(&rng, maxAtoms: 3)
        }
        if rng.chance(5) { path += "/" }
        if rng.chance(4) { path = "/" + String(repeating: "p/", count: rng.int(in: 2040...2060)) }
        return path
    }

    /// A number as text: in range, out of range, or not a number at all.
    public static func number(_ rng: inout SplitMix64) -> String {
        rng.pick([
            "0", "1", "-1", "3", "12", "20", "21", "128", "129", "0.05", "0.1", "3600", "3601", "1e3", "1e309",
            "-0", "nan", "inf", "-inf", "0x10", "9223372036854775807", "9223372036854775808", " 5", "5 ", "", "٣",
        ])
    }
}
