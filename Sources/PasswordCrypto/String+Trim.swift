extension StringProtocol {
    /// Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` (that set is exactly
    /// Unicode's White_Space property), without importing `Foundation`, which would link ICU's
    /// data into the agent (issue 12; DataSources has the same helper, public).
    func trimmingWhitespaceAndNewlinesForKeys() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        var trimmed = String.UnicodeScalarView()
        trimmed.append(contentsOf: scalars[first...last])
        return String(trimmed)
    }
}
