/// Plain, quoted and block scalars (YAML 1.1 folding rules, as PyYAML applies them).
extension YAMLParser {
    /// A plain scalar in block context: the rest of the line, then continuation lines indented
    /// more than `parentIndent`, folded (one line break is a space, each further one a newline).
    mutating func parsePlainBlock(parentIndent: Int) throws -> String {
        var result = String.UnicodeScalarView()
        var breaks = 0
        while true {
            let start = index
            var end = index
            var endedByComment = false
            while !atLineEnd {
                let scalar = peek()!
                if scalar == ":" && Self.isBreakOrBlank(peek(1)) {
                    throw error("mapping values are not allowed here (quote a value that contains \": \")")
                }
                if scalar == "#" && index > start && Self.isBlank(text[index - 1]) {
                    endedByComment = true
                    break
                }
                index += 1
                if !Self.isBlank(scalar) { end = index }
            }
            if !result.isEmpty || breaks > 0 {
                if breaks == 1 {
                    result.append(" ")
                } else {
                    result.append(contentsOf: repeatElement("\n", count: max(breaks - 1, 0)))
                }
            }
            result.append(contentsOf: text[start..<end])
            if endedByComment { skipToLineEnd() }
            if endedByComment || peek() == nil { break }
            // Look at the next content line: a continuation only when indented more than the parent.
            let lineEnd = index
            breaks = 0
            while peek() == "\n" {
                index += 1
                breaks += 1
                skipBlanks()
            }
            if peek() == nil || peek() == "#" || column <= parentIndent || atDocumentMarker {
                index = lineEnd
                break
            }
        }
        return String(result)
    }

    /// A `"..."` or `'...'` scalar; line breaks inside fold as in plain scalars.
    mutating func parseQuoted(parentIndent: Int) throws -> String {
        let opening = index
        let quote = peek()!
        index += 1
        var result = String.UnicodeScalarView()
        var pendingBlanks = String.UnicodeScalarView()  // dropped when a line break follows them
        while true {
            guard let scalar = peek() else {
                let kind = quote == "\"" ? "double" : "single"
                throw error("unterminated \(kind)-quoted scalar (opened at \(describe(opening)))")
            }
            if scalar == quote {
                if quote == "'" && peek(1) == "'" {
                    result.append(contentsOf: pendingBlanks)
                    pendingBlanks = .init()
                    result.append("'")
                    index += 2
                    continue
                }
                index += 1
                result.append(contentsOf: pendingBlanks)
                return String(result)
            }
            if Self.isBlank(scalar) {
                pendingBlanks.append(scalar)
                index += 1
                continue
            }
            if scalar == "\n" {
                pendingBlanks = .init()
                var breaks = 0
                while peek() == "\n" {
                    index += 1
                    breaks += 1
                    skipBlanks()
                }
                if atDocumentMarker { throw error("a document marker inside a quoted scalar") }
                if breaks == 1 {
                    result.append(" ")
                } else {
                    result.append(contentsOf: repeatElement("\n", count: breaks - 1))
                }
                continue
            }
            result.append(contentsOf: pendingBlanks)
            pendingBlanks = .init()
            if quote == "\"" && scalar == "\\" {
                if peek(1) == "\n" {
                    // An escaped line break joins the lines without a space.
                    index += 2
                    skipBlanks()
                    while peek() == "\n" {
                        result.append("\n")
                        index += 1
                        skipBlanks()
                    }
                    continue
                }
                result.append(try parseEscape())
                continue
            }
            result.append(scalar)
            index += 1
        }
    }

    static let escapes: [Unicode.Scalar: Unicode.Scalar] = [
        "0": "\0", "a": "\u{07}", "b": "\u{08}", "t": "\t", "\t": "\t", "n": "\n", "v": "\u{0B}", "f": "\u{0C}",
        "r": "\r", "e": "\u{1B}", " ": " ", "\"": "\"", "/": "/", "\\": "\\", "N": "\u{85}", "_": "\u{A0}",
        "L": "\u{2028}", "P": "\u{2029}",
    ]

    /// One `\` escape of a double-quoted scalar (at the backslash).
    mutating func parseEscape() throws -> Unicode.Scalar {
        let start = index
        guard let letter = peek(1) else { throw error("unterminated double-quoted scalar") }
        if let simple = Self.escapes[letter] {
            index += 2
            return simple
        }
        let length: Int
        switch letter {
        case "x": length = 2
        case "u": length = 4
        case "U": length = 8
        default: throw error("unknown escape \\\(letter) in a double-quoted scalar", at: start)
        }
        var value: UInt32 = 0
        for offset in 2..<(2 + length) {
            guard let digit = peek(offset), digit.isASCII, let number = UInt32(String(digit), radix: 16) else {
                throw error("\\\(letter) needs \(length) hexadecimal digits", at: start)
            }
            value = value * 16 + number
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("\\\(letter) names no Unicode character (a surrogate or beyond U+10FFFF)", at: start)
        }
        index += 2 + length
        return scalar
    }

    /// A `|` (literal) or `>` (folded) block scalar: indicator line, then the lines indented
    /// more than `parentIndent`. Ported from PyYAML's scanner so that folding, chomping (`-`
    /// strip, `+` keep, default clip) and the indentation indicator (1 to 9) agree with it.
    mutating func parseBlockScalar(parentIndent: Int) throws -> String {
        let folded = peek() == ">"
        index += 1
        var chomping: Bool?  // nil clip, false strip, true keep
        var increment: Int?
        for _ in 0..<2 {
            if let scalar = peek(), scalar == "+" || scalar == "-", chomping == nil {
                chomping = scalar == "+"
                index += 1
            } else if let scalar = peek(), ("0"..."9").contains(scalar), increment == nil {
                guard scalar != "0" else { throw error("a block scalar's indentation indicator must be 1 to 9") }
                increment = Int(scalar.value - 48)
                index += 1
            }
        }
        skipBlanks()
        if peek() == "#" && Self.isBlank(text[index - 1]) { skipToLineEnd() }
        guard atLineEnd else { throw error("expected a comment or a line break after a block scalar indicator") }
        if peek() == "\n" { index += 1 }
        let minIndent = max(parentIndent + 1, 1)
        var chunks = String.UnicodeScalarView()
        var breaks: Int
        let indent: Int
        if let increment {
            indent = minIndent + increment - 1
            breaks = blockScalarBreaks(indent: indent)
        } else {
            var maxIndent = 0
            breaks = 0
            while peek() == " " || peek() == "\n" {
                if peek() == "\n" {
                    breaks += 1
                } else {
                    maxIndent = max(maxIndent, column + 1)
                }
                index += 1
            }
            indent = max(minIndent, maxIndent)
        }
        var lineBreak = false
        while column == indent && peek() != nil {
            chunks.append(contentsOf: repeatElement("\n", count: breaks))
            let leadingNonSpace = !Self.isBlank(peek())
            let start = index
            skipToLineEnd()
            chunks.append(contentsOf: text[start..<index])
            lineBreak = peek() == "\n"
            if lineBreak { index += 1 }
            breaks = blockScalarBreaks(indent: indent)
            guard column == indent && peek() != nil else { break }
            if folded && lineBreak && leadingNonSpace && !Self.isBlank(peek()) {
                if breaks == 0 { chunks.append(" ") }
            } else if lineBreak {
                chunks.append("\n")
            }
        }
        if chomping != false && lineBreak { chunks.append("\n") }
        if chomping == true { chunks.append(contentsOf: repeatElement("\n", count: breaks)) }
        return String(chunks)
    }

    /// Skips up to `indent` spaces on each line and counts the empty lines in between.
    mutating func blockScalarBreaks(indent: Int) -> Int {
        var breaks = 0
        while column < indent && peek() == " " { index += 1 }
        while peek() == "\n" {
            breaks += 1
            index += 1
            while column < indent && peek() == " " { index += 1 }
        }
        return breaks
    }
}
