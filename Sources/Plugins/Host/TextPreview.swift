/// Untrusted text (a configuration value, a metadata path) made fit for one line of a
/// message: control characters escaped, cut after a bounded number of scalars.
enum TextPreview {
    /// `text` with C0 controls and DEL as `\u{..}`, at most `limit` scalars, `...` when cut.
    static func line(_ text: String, limit: Int = 200) -> String {
        let shown = text.unicodeScalars.prefix(limit).map { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return shown.joined() + (text.unicodeScalars.count > limit ? "..." : "")
    }
}
