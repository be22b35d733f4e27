/// The scanner behind `ContextShellParser`: one assignment at a time, tracking the line.
struct ContextShellReader {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    /// Characters a bare (unquoted) word may hold: none of them means anything to a shell
    /// in the middle of a word.
    private static func isPlainWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "/", ":", "@", "%", "+", ",", "-", "=": true
        default: false
        }
    }

    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "_": true
        default: false
        }
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || ("0"..."9").contains(scalar)
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func advance() {
        if scalars[index] == "\n" { line += 1 }
        index += 1
    }

    /// Skips blank lines and comment lines; nil at the end of the file.
    mutating func nextAssignment() throws -> (String, String)? {
        while let scalar = current {
            if scalar == " " || scalar == "\t" || scalar == "\n" {
                advance()
            } else if scalar == "#" {
                while let next = current, next != "\n" { advance() }
            } else {
                return try assignment()
            }
        }
        return nil
    }

    private mutating func assignment() throws -> (String, String) {
        let startLine = line
        var name = ""
        if let first = current, Self.isNameStart(first) {
            while let scalar = current, Self.isNameCharacter(scalar) {
                name.unicodeScalars.append(scalar)
                advance()
            }
        }
        guard !name.isEmpty, current == "=" else {
            throw ContextShellError(
                line: startLine, reason: "not a variable assignment (NAME='value'); the line is not read as a command")
        }
        advance()
        let value = try word(name: name, startLine: startLine)
        // Only blanks may follow the value on its line; a comment after a blank is plain sh too.
        while let scalar = current, scalar == " " || scalar == "\t" { advance() }
        if let scalar = current, scalar != "\n" {
            guard scalar == "#", index > 0, scalars[index - 1] == " " || scalars[index - 1] == "\t" else {
                throw ContextShellError(
                    line: line, reason: "\(name): unexpected text after the value (a second word or a command)")
            }
            while let next = current, next != "\n" { advance() }
        }
        return (name, value)
    }

    /// One shell word made of quoted and plain parts, ended by a blank or a newline.
    /// An unclosed quote is reported at `startLine`, the assignment's first line: a quote that
    /// is never closed swallows the lines after it, so where the shell gives up is not where
    /// the mistake is.
    private mutating func word(name: String, startLine: Int) throws -> String {
        var value = ""
        while let scalar = current, scalar != " ", scalar != "\t", scalar != "\n" {
            switch scalar {
            case "'":
                advance()
                while let inner = current, inner != "'" {
                    value.unicodeScalars.append(inner)
                    advance()
                }
                guard current == "'" else {
                    throw ContextShellError(line: startLine, reason: "\(name): a single-quoted value is never closed")
                }
                advance()
            case "\"":
                advance()
                while let inner = current, inner != "\"" {
                    if inner == "$" || inner == "`" || inner == "\\" {
                        throw ContextShellError(
                            line: line,
                            reason: "\(name): a double-quoted value holds '\(inner)', which a shell would expand")
                    }
                    value.unicodeScalars.append(inner)
                    advance()
                }
                guard current == "\"" else {
                    throw ContextShellError(line: startLine, reason: "\(name): a double-quoted value is never closed")
                }
                advance()
            case "\\":
                // `\'` between quoted parts: OpenNebula's escape for a quote inside a value.
                advance()
                guard let escaped = current, escaped != "\n" else {
                    throw ContextShellError(line: line, reason: "\(name): a backslash ends the line")
                }
                value.unicodeScalars.append(escaped)
                advance()
            case _ where Self.isPlainWordCharacter(scalar):
                value.unicodeScalars.append(scalar)
                advance()
            default:
                throw ContextShellError(
                    line: line,
                    reason:
                        "\(name): '\(Self.visible(scalar))' outside quotes is shell syntax (expansion, command or redirection), not a value"
                )
            }
        }
        return value
    }

    /// A character as an error message may show it (control characters as U+XXXX).
    private static func visible(_ scalar: Unicode.Scalar) -> String {
        scalar.value < 0x20 || scalar.value == 0x7F
            ? "U+" + String(scalar.value, radix: 16, uppercase: true) : String(scalar)
    }
}
