/// Untrusted text (a configuration value, a metadata path, an instance id) made fit for
/// human-readable output: control characters escaped, so that no metadata can forge a log
/// line or drive a terminal.
public enum TextPreview {
    /// `text` with C0 controls, DEL and C1 controls (and, with `asciiOnly`, everything
    /// outside printable ASCII) as `\u{..}`, at most `limit` scalars, `...` when cut.
    public static func line(_ text: String, limit: Int = 200, asciiOnly: Bool = false) -> String {
        let cut = text.unicodeScalars.count > limit
        return escaped(String(text.unicodeScalars.prefix(limit)), asciiOnly: asciiOnly) + (cut ? "..." : "")
    }

    /// The one escaping function of every human-readable output (log lines, `run`, `status`,
    /// `analyze`, `query KEY`): `text` whole, with C0 controls (newline, carriage return,
    /// escape, ...), DEL and C1 controls (0x80-0x9F: CSI and OSC among them) and line or
    /// paragraph separators as `\u{..}`; with `asciiOnly`, everything outside printable ASCII.
    public static func escaped(_ text: String, asciiOnly: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, asciiOnly: asciiOnly) }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, asciiOnly: asciiOnly) {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, asciiOnly: Bool) -> Bool {
        let value = scalar.value
        if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029 { return true }
        return asciiOnly && value > 0x7E
    }
}
