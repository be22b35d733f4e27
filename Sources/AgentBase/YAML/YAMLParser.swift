/// A bounded parser for the YAML subset cloud-config uses (replaces Yams, whose formatters
/// linked ICU's 34 MB of data into the agent; see README, Performance). One document:
/// block mappings and sequences (with `- key: value` compact mappings and sequences at
/// their key's indentation, as PyYAML allows), flow `[...]` and `{...}`, plain, single- and
/// double-quoted scalars, block scalars `|` and `>` with chomping and indentation indicators,
/// comments, `---` and `...`, the tags `!!binary` and `!!str`, and duplicated keys (the last
/// wins, with a warning). Anchors, aliases, other tags, directives and complex (`?`) keys are
/// refused: nothing cloud-config needs, and aliases are how a small document expands into a
/// huge one. Hostile input: at most `maxBytes` of text and `maxDepth` nested collections;
/// every character is read a bounded number of times (no backtracking across lines).
public struct YAMLParser {
    public static let maxDepth = 64
    public static let maxBytes = 16 << 20

    let text: [Unicode.Scalar]
    /// Index of the first character of every line (and one past the end after a final newline).
    let lineStarts: [Int]
    var index = 0
    var depth = 0
    var warnings: [YAMLWarning] = []
    var duplicatedKeys = 0

    /// Parses one document; nil for an empty one (only comments, blank lines, markers).
    public static func parse(_ source: String) throws -> YAMLValue? {
        try load(source).value
    }

    /// Parses one document, with the warnings met on the way (duplicated keys).
    public static func load(_ source: String) throws -> YAMLDocument {
        guard source.utf8.count <= maxBytes else {
            throw YAMLError(line: 1, column: 1, problem: "the document is larger than \(maxBytes) bytes")
        }
        var parser = YAMLParser(source)
        let value = try parser.parseDocument()
        var warnings = parser.warnings
        if parser.duplicatedKeys > warnings.count {
            let more = parser.duplicatedKeys - warnings.count
            warnings.append(YAMLWarning(line: 1, column: 1, problem: "and \(more) more duplicated keys"))
        }
        return YAMLDocument(value: value, warnings: warnings)
    }

    init(_ source: String) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(source.unicodeScalars.count)
        var previousWasReturn = false
        for scalar in source.unicodeScalars {
            // CRLF and lone CR are line breaks; one form (LF) keeps the scanner simple.
            if scalar == "\r" {
                scalars.append("\n")
            } else if !(scalar == "\n" && previousWasReturn) {
                scalars.append(scalar)
            }
            previousWasReturn = scalar == "\r"
        }
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }  // a byte order mark is not content
        text = scalars
        var starts = [0]
        for (position, scalar) in scalars.enumerated() where scalar == "\n" { starts.append(position + 1) }
        lineStarts = starts
    }

    // MARK: positions and errors

    func location(_ position: Int) -> (line: Int, column: Int) {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= position { low = middle } else { high = middle - 1 }
        }
        return (low + 1, position - lineStarts[low] + 1)
    }

    /// 0-based column of `position` (indentation is compared in these).
    func column(_ position: Int) -> Int { location(position).column - 1 }

    var column: Int { column(index) }

    func error(_ problem: String, at position: Int? = nil) -> YAMLError {
        let (line, column) = location(position ?? index)
        return YAMLError(line: line, column: column, problem: problem)
    }

    func describe(_ position: Int) -> String {
        let (line, column) = location(position)
        return "line \(line), column \(column)"
    }

    // MARK: characters

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < text.count ? text[index + offset] : nil
    }

    static func isBlank(_ scalar: Unicode.Scalar?) -> Bool { scalar == " " || scalar == "\t" }

    /// A space, a tab, a line break or the end: what must follow `-`, `:` or `---` as indicators.
    static func isBreakOrBlank(_ scalar: Unicode.Scalar?) -> Bool { scalar == nil || scalar == "\n" || isBlank(scalar) }

    var atLineEnd: Bool { peek() == nil || peek() == "\n" }

    var atSequenceEntry: Bool { peek() == "-" && Self.isBreakOrBlank(peek(1)) }

    /// `---` or `...` at the start of a line: a document boundary, whatever the indentation says.
    var atDocumentMarker: Bool {
        guard column == 0, let first = peek(), first == "-" || first == "." else { return false }
        return peek(1) == first && peek(2) == first && Self.isBreakOrBlank(peek(3))
    }

    mutating func skipBlanks() {
        while Self.isBlank(peek()) { index += 1 }
    }

    mutating func skipToLineEnd() {
        while !atLineEnd { index += 1 }
    }

    /// Skips blanks, comments and blank lines up to the next content (or the end). A tab in
    /// the indentation of that content is an error: YAML indents with spaces only.
    mutating func skipBlankLinesAndComments() throws {
        var crossedLine = false
        while true {
            skipBlanks()
            if peek() == "#" && (index == 0 || Self.isBreakOrBlank(text[index - 1])) { skipToLineEnd() }
            guard peek() == "\n" else { break }
            index += 1
            crossedLine = true
        }
        if crossedLine, peek() != nil, text[lineStarts[location(index).line - 1]..<index].contains("\t") {
            throw error("a tab in the indentation (YAML indents with spaces)")
        }
    }

    // MARK: document

    mutating func parseDocument() throws -> YAMLValue? {
        try skipBlankLinesAndComments()
        if peek() == "%" && column == 0 {
            throw error("directives (%YAML, %TAG) are not supported")
        }
        var value: YAMLValue?
        if atDocumentMarker && peek() == "-" {
            index += 3
            value = try parseValue(parentIndent: -1, sequenceMayShareIndent: false, compact: false)
        } else if peek() != nil && !atDocumentMarker {
            value = try parseBlockNode(indent: column, parentIndent: -1)
        }
        try skipBlankLinesAndComments()
        if atDocumentMarker && peek() == "." {
            index += 3
            try skipBlankLinesAndComments()
        }
        if atDocumentMarker && peek() == "-" {
            throw error("a second document (---): one document is supported")
        }
        guard peek() == nil else { throw error("unexpected content after the document's end (check the indentation)") }
        return value
    }

    mutating func enterCollection() throws {
        depth += 1
        if depth > Self.maxDepth { throw error("collections nested deeper than \(Self.maxDepth) levels") }
    }

    // MARK: block structure

    /// The node after `key:`, `-` or `---`: on the same line, or on the following lines when
    /// indented more than `parentIndent` (or a `- ` sequence at the key's own indentation,
    /// which PyYAML accepts). Nothing there is null.
    mutating func parseValue(parentIndent: Int, sequenceMayShareIndent: Bool, compact: Bool) throws -> YAMLValue {
        skipBlanks()
        if peek() == "#" { skipToLineEnd() }
        if !atLineEnd { return try parseInlineNode(parentIndent: parentIndent, compact: compact) }
        try skipBlankLinesAndComments()
        guard peek() != nil, !atDocumentMarker else { return .null }
        let column = column
        if column > parentIndent || (sequenceMayShareIndent && column == parentIndent && atSequenceEntry) {
            return try parseBlockNode(indent: column, parentIndent: parentIndent)
        }
        return .null
    }

    /// A node that starts a line at `indent`: a sequence, a mapping or a scalar.
    mutating func parseBlockNode(indent: Int, parentIndent: Int) throws -> YAMLValue {
        if atSequenceEntry { return try parseBlockSequence(indent: indent) }
        if try isMappingKeyAhead() { return try parseBlockMapping(indent: indent) }
        return try parseInlineNode(parentIndent: parentIndent, compact: false)
    }

    mutating func parseBlockSequence(indent: Int) throws -> YAMLValue {
        try enterCollection()
        var items: [YAMLValue] = []
        while true {
            index += 1  // the `-`
            items.append(try parseValue(parentIndent: indent, sequenceMayShareIndent: false, compact: true))
            try skipBlankLinesAndComments()
            guard peek() != nil, !atDocumentMarker, column >= indent else { break }
            if column > indent { throw error("bad indentation of a sequence entry") }
            guard atSequenceEntry else { break }
        }
        depth -= 1
        return .list(items)
    }

    mutating func parseBlockMapping(indent: Int) throws -> YAMLValue {
        try enterCollection()
        var entries: [String: YAMLValue] = [:]
        while true {
            let keyStart = index
            let key = try parseKey()
            if entries[key] != nil { noteDuplicatedKey(key, at: keyStart) }
            entries[key] = try parseValue(parentIndent: indent, sequenceMayShareIndent: true, compact: false)
            try skipBlankLinesAndComments()
            guard peek() != nil, !atDocumentMarker, column >= indent else { break }
            if column > indent { throw error("bad indentation of a mapping entry") }
            if atSequenceEntry { throw error("a sequence entry (-) where a mapping key was expected") }
            guard try isMappingKeyAhead() else { throw error("expected a mapping key (key: value)") }
        }
        depth -= 1
        return .map(entries)
    }

    /// Whether the current line, from here, is `key: ...` (a plain or quoted key on one line,
    /// then `:` and a blank or the line's end). Reads at most to the end of the line.
    mutating func isMappingKeyAhead() throws -> Bool {
        let start = index
        defer { index = start }
        switch peek() {
        case "\"", "'":
            guard (try? parseQuoted(parentIndent: -1)) != nil, location(index).line == location(start).line
            else { return false }
            skipBlanks()
            return peek() == ":" && Self.isBreakOrBlank(peek(1))
        case "?" where Self.isBreakOrBlank(peek(1)):
            throw error("complex mapping keys (?) are not supported")
        case "[", "{", "|", ">", "#", "&", "*", "!", "%", "@", "`", ",", "]", "}", nil:
            return false
        default:
            while !atLineEnd {
                if peek() == ":" && Self.isBreakOrBlank(peek(1)) { return true }
                if peek() == "#" && Self.isBlank(text[index - 1]) { return false }
                index += 1
            }
            return false
        }
    }

    /// Reads `key:` (isMappingKeyAhead said it is there) and returns the key's text.
    mutating func parseKey() throws -> String {
        var key: String
        if peek() == "\"" || peek() == "'" {
            key = try parseQuoted(parentIndent: -1)
        } else {
            let start = index
            while !(peek() == ":" && Self.isBreakOrBlank(peek(1))) { index += 1 }
            var end = index
            while end > start && Self.isBlank(text[end - 1]) { end -= 1 }
            key = String(String.UnicodeScalarView(text[start..<end]))
        }
        skipBlanks()
        index += 1  // the `:`
        return key
    }

    /// A node that starts mid-line (after `key: ` or `- `) or a scalar on its own line. A
    /// compact node (after `- `) may itself be a mapping or a sequence.
    mutating func parseInlineNode(parentIndent: Int, compact: Bool) throws -> YAMLValue {
        if compact {
            if atSequenceEntry { return try parseBlockSequence(indent: column) }
            if try isMappingKeyAhead() { return try parseBlockMapping(indent: column) }
        } else if atSequenceEntry {
            throw error("a sequence entry (-) is not allowed here (start it on the next line)")
        }
        switch peek() {
        case "&", "*":
            throw error("anchors and aliases (& and *) are not supported")
        case "!":
            return try parseTagged(parentIndent: parentIndent, inFlow: false)
        case "@", "`", "%":
            throw error("a plain scalar cannot start with \"\(peek()!)\" (quote it)")
        case "|", ">":
            return .string(try parseBlockScalar(parentIndent: parentIndent))
        case "[", "{":
            let value = try parseFlowCollection()
            try expectLineEnd(after: "a flow collection")
            return value
        case "\"", "'":
            let value = try parseQuoted(parentIndent: parentIndent)
            skipBlanks()
            if peek() == ":" && Self.isBreakOrBlank(peek(1)) {
                throw error("a mapping key here must be on a line of its own")
            }
            try expectLineEnd(after: "a quoted scalar")
            return .string(value)
        default:
            return YAMLScalarResolver.resolve(try parsePlainBlock(parentIndent: parentIndent))
        }
    }

    mutating func expectLineEnd(after what: String) throws {
        skipBlanks()
        if peek() == "#" && Self.isBlank(text[index - 1]) { skipToLineEnd() }
        guard atLineEnd else { throw error("unexpected text after \(what)") }
    }
}
