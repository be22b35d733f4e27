/// String helpers that corelibs Foundation provides but FoundationEssentials does not
/// (`trimmingCharacters(in:)`, `padding(toLength:...)`). Why not Foundation: any use of the
/// main `Foundation` module links libFoundation.a, and with it ICU's 34 MB of data (issue 12,
/// docs/ARCHITECTURE.md). Results are what the Foundation calls they replace returned.
extension StringProtocol {
    /// Foundation's `trimmingCharacters(in: .whitespaces)`: tab and Unicode space separators (Zs).
    public func trimmingWhitespace() -> String {
        trimmingScalars(where: UnicodeScalarClass.isWhitespace)
    }

    /// Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)`: the above plus
    /// U+000A-U+000D, U+0085, U+2028 and U+2029.
    public func trimmingWhitespaceAndNewlines() -> String {
        // Exactly Unicode's White_Space property: Zs, tab, U+000A-U+000D, U+0085, U+2028, U+2029.
        trimmingScalars(where: \.properties.isWhitespace)
    }

    /// Removes the leading and trailing Unicode scalars for which `predicate` holds (as
    /// Foundation's `trimmingCharacters(in:)` does: scalar by scalar, not by Character).
    public func trimmingScalars(where predicate: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !predicate($0) }),
            let last = scalars.lastIndex(where: { !predicate($0) })
        else { return "" }
        // The bytes between two scalar boundaries, copied at once (appending scalar by
        // scalar was the most of a first boot's text handling: login.defs, issue 31).
        return String(decoding: utf8[first..<scalars.index(after: last)], as: UTF8.self)
    }

    /// Spaces appended up to `length` characters; a longer text is kept whole (a column of
    /// names, where a cut name, `platform_p`, names nothing).
    public func paddedWithSpaces(toLength length: Int) -> String {
        count >= length ? String(self) : String(self) + String(repeating: " ", count: length - count)
    }
}

/// The scalar class of Foundation's `CharacterSet.whitespaces`.
public enum UnicodeScalarClass {
    /// `CharacterSet.whitespaces`: tab and general category Zs.
    public static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
    }
}
