/// Types a plain (unquoted) scalar as PyYAML's YAML 1.1 resolver does, for the types
/// cloud-config uses: null (`~`, `null`, empty), booleans (`true`/`false`/`yes`/`no`/`on`/`off`
/// in the three spellings PyYAML knows), integers (decimal, `0b`, `0x`, a leading-zero octal
/// such as `0644`, and base-60 `1:30`) and floats (`1.5`, `1.5e+3`, `.inf`, `.nan`).
/// Everything else is a string, including what PyYAML reads as a timestamp and `0o644`
/// (YAML 1.2 octal, a string in YAML 1.1; the `permissions` reader accepts it as text).
/// An integer that does not fit in 64 bits stays a string (PyYAML makes a big integer).
public enum YAMLScalarResolver {
    static let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]
    static let trues: Set<String> = ["yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
    static let falses: Set<String> = ["no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]

    public static func resolve(_ text: String) -> YAMLValue {
        if nulls.contains(text) { return .null }
        if trues.contains(text) { return .bool(true) }
        if falses.contains(text) { return .bool(false) }
        let bytes = Array(text.utf8)
        if let number = integer(bytes) { return .int(number) }
        if let number = float(bytes) { return .double(number) }
        return .string(text)
    }

    // MARK: integers

    static func isDigit(_ byte: UInt8, radix: Int) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0")) < radix
        case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): radix == 16
        default: false
        }
    }

    /// Splits an optional sign off: (negative, rest).
    static func sign(_ bytes: [UInt8]) -> (Bool, ArraySlice<UInt8>) {
        guard let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") else {
            return (false, bytes[...])
        }
        return (first == UInt8(ascii: "-"), bytes.dropFirst())
    }

    /// Digits (underscores allowed and ignored) in `radix`; nil on another byte, no digit or overflow.
    static func value(_ digits: ArraySlice<UInt8>, radix: Int, negative: Bool) -> Int? {
        var result = 0
        var sawDigit = false
        for byte in digits where byte != UInt8(ascii: "_") {
            guard isDigit(byte, radix: radix), let digit = Int(String(UnicodeScalar(byte)), radix: radix) else {
                return nil
            }
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: radix)
            let (next, overflow2) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            result = next
            sawDigit = true
        }
        return sawDigit ? result : nil
    }

    static func integer(_ bytes: [UInt8]) -> Int? {
        let (negative, body) = sign(bytes)
        guard let first = body.first else { return nil }
        let second = body.dropFirst().first
        if first == UInt8(ascii: "0") {
            if body.count == 1 { return 0 }
            if second == UInt8(ascii: "b") { return value(body.dropFirst(2), radix: 2, negative: negative) }
            if second == UInt8(ascii: "x") { return value(body.dropFirst(2), radix: 16, negative: negative) }
            return value(body.dropFirst(), radix: 8, negative: negative)
        }
        guard isDigit(first, radix: 10) else { return nil }
        if body.contains(UInt8(ascii: ":")) { return sexagesimal(body, negative: negative) }
        return value(body, radix: 10, negative: negative)
    }

    /// `1:30:05` (PyYAML's base 60): the first part any decimal, the others 0 to 59.
    static func sexagesimal(_ body: ArraySlice<UInt8>, negative: Bool) -> Int? {
        let parts = body.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard let head = value(parts[0], radix: 10, negative: false) else { return nil }
        var result = head
        for part in parts.dropFirst() {
            guard (1...2).contains(part.count), let digit = value(part, radix: 10, negative: false),
                part.count == 1 || part.first! <= UInt8(ascii: "5")
            else { return nil }
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 60)
            let (next, overflow2) = shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            result = next
        }
        return negative ? -result : result
    }

    // MARK: floats

    static func float(_ bytes: [UInt8]) -> Double? {
        let text = String(decoding: bytes, as: UTF8.self)
        let (negative, body) = sign(bytes)
        let bodyText = String(decoding: body, as: UTF8.self)
        if [".inf", ".Inf", ".INF"].contains(bodyText) { return negative ? -.infinity : .infinity }
        if [".nan", ".NaN", ".NAN"].contains(text) { return .nan }
        // PyYAML: a number needs a dot; `.5` has no sign; an exponent needs its sign.
        guard let dot = body.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let whole = body[body.startIndex..<dot]
        if whole.isEmpty && body.count != bytes.count { return nil }
        if whole.contains(UInt8(ascii: ":")) {
            guard let first = whole.first, isDigit(first, radix: 10),
                let fraction = plainFloat(Array(body[dot...]), needsWhole: false),
                let head = sexagesimal(whole, negative: false)
            else { return nil }
            let result = Double(head) * 60 + fraction  // `1:30.5`: the fraction belongs to the last part
            return negative ? -result : result
        }
        guard let result = plainFloat(Array(body), needsWhole: !whole.isEmpty) else { return nil }
        return negative ? -result : result
    }

    /// `[0-9][0-9_]*` (or nothing) `.` `[0-9_]*` then optional `e[-+][0-9]+`.
    static func plainFloat(_ body: [UInt8], needsWhole: Bool) -> Double? {
        var index = 0
        let digit = { (byte: UInt8) in isDigit(byte, radix: 10) }
        if needsWhole {
            guard index < body.count, digit(body[index]) else { return nil }
            while index < body.count, digit(body[index]) || body[index] == UInt8(ascii: "_") { index += 1 }
        }
        guard index < body.count, body[index] == UInt8(ascii: ".") else { return nil }
        index += 1
        let fractionStart = index
        while index < body.count, digit(body[index]) || body[index] == UInt8(ascii: "_") { index += 1 }
        if !needsWhole && index == fractionStart { return nil }
        if index < body.count {
            guard body[index] == UInt8(ascii: "e") || body[index] == UInt8(ascii: "E"), index + 2 < body.count,
                body[index + 1] == UInt8(ascii: "+") || body[index + 1] == UInt8(ascii: "-")
            else { return nil }
            index += 2
            guard body[index...].allSatisfy(digit) else { return nil }
        }
        // Swift's Double(String) wants digits on both sides of the dot: `.5` -> `0.5`, `1.` -> `1.0`.
        var cleaned: [UInt8] = []
        for (position, byte) in body.enumerated() where byte != UInt8(ascii: "_") {
            if byte == UInt8(ascii: "."), cleaned.isEmpty { cleaned.append(UInt8(ascii: "0")) }
            cleaned.append(byte)
            let next = position + 1 < body.count ? body[position + 1] : nil
            if byte == UInt8(ascii: "."), next == nil || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
                cleaned.append(UInt8(ascii: "0"))
            }
        }
        return Double(String(decoding: cleaned, as: UTF8.self))
    }
}
