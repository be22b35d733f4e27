/// Untrusted text (a configuration value, a metadata path) made fit for one line of a
/// message: control characters escaped, cut after a bounded number of scalars.
public enum TextPreview {
    /// `text` with C0 controls and DEL (and, with `asciiOnly`, everything outside printable
    /// ASCII) as `\u{..}`, at most `limit` scalars, `...` when cut.
    public static func line(_ text: String, limit: Int = 200, asciiOnly: Bool = false) -> String {
        let shown = text.unicodeScalars.prefix(limit).map { scalar in
            let plain = scalar.value >= 0x20 && scalar.value != 0x7F && (!asciiOnly || scalar.value < 0x7F)
            return plain ? String(scalar) : "\\u{\(String(scalar.value, radix: 16))}"
        }
        return shown.joined() + (text.unicodeScalars.count > limit ? "..." : "")
    }
}
