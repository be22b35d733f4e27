import FoundationEssentials

/// The two tags real cloud-config uses (cloud-init's own examples write `write_files`
/// content as `!!binary |`), and duplicated keys, which PyYAML accepts keeping the last.
extension YAMLParser {
    /// The tags read: `!!binary` (base64 text, decoded to bytes as PyYAML's `safe_load`
    /// does) and `!!str` (the scalar's text exactly as written: `!!str 0644` stays "0644").
    /// Any other tag is refused, naming it: an application tag means a type the document's
    /// author expects, and guessing it would apply something else.
    static let supportedTags = ["!!binary", "!!str"]

    /// A tagged scalar, from its `!` (plain, quoted or, in block context, `|`/`>` on the tag's
    /// line). Nothing after the tag on its line is the empty value, as in PyYAML.
    mutating func parseTagged(parentIndent: Int, inFlow: Bool) throws -> YAMLValue {
        let tagStart = index
        while let scalar = peek(), !Self.isBreakOrBlank(scalar), !(inFlow && Self.isFlowIndicator(scalar)) {
            index += 1
        }
        let tag = String(String.UnicodeScalarView(text[tagStart..<index]))
        guard Self.supportedTags.contains(tag) else {
            throw error(
                "tag \"\(TextPreview.line(String(tag.prefix(40))))\" is not supported (only !!binary and !!str)",
                at: tagStart)
        }
        if inFlow { skipFlowSpace() } else { skipBlanks() }
        let valueStart = index
        let scalar: String
        switch peek() {
        case nil, "\n":
            scalar = ""
        case "#" where Self.isBlank(text[index - 1]):
            scalar = ""
        case "|", ">":
            guard !inFlow else { throw error("block scalars (| and >) are not allowed inside [ ] or { }") }
            scalar = try parseBlockScalar(parentIndent: parentIndent)
        case "\"", "'":
            scalar = try parseQuoted(parentIndent: parentIndent)
            if !inFlow { try expectLineEnd(after: "a quoted scalar") }
        case "[", "{", "&", "*", "!":
            throw error("\(tag) must be followed by a scalar")
        case "," where inFlow, "]" where inFlow, "}" where inFlow:
            scalar = ""
        default:
            scalar = inFlow ? parsePlainFlow() : try parsePlainBlock(parentIndent: parentIndent)
        }
        guard tag == "!!binary" else { return .string(scalar) }
        // base64.decodebytes (PyYAML) ignores line breaks and blanks between the groups.
        guard let bytes = Data(base64Encoded: scalar.filter { !$0.isWhitespace }) else {
            throw error("the !!binary value is not base64", at: valueStart)
        }
        return .binary(bytes)
    }

    static func isFlowIndicator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "," || scalar == "[" || scalar == "]" || scalar == "{" || scalar == "}"
    }

    /// The most warnings kept for one document; a hostile document with a million repeated
    /// keys costs one line more, not a million.
    static let maxWarnings = 16

    /// A key given twice in one mapping: PyYAML (cloud-init's loader) keeps the last value
    /// and says nothing; the agent keeps the last too and says where.
    mutating func noteDuplicatedKey(_ key: String, at position: Int) {
        duplicatedKeys += 1
        guard warnings.count < Self.maxWarnings else { return }
        let (line, column) = location(position)
        warnings.append(
            YAMLWarning(
                line: line, column: column,
                problem: "duplicated key \"\(TextPreview.line(String(key.prefix(60))))\": the last value is used"))
    }
}

/// Something a document's reader should be told about, with where (1-based line and
/// column, in Unicode scalars). Never quotes values, only short key names.
public struct YAMLWarning: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var problem: String

    public var description: String { "line \(line), column \(column): \(problem)" }
}

/// A parsed document: its value (nil for an empty document) and what was accepted with a
/// warning (duplicated keys; past `YAMLParser.maxWarnings`, one line counts the rest).
public struct YAMLDocument: Sendable, Equatable {
    public var value: YAMLValue?
    public var warnings: [YAMLWarning]
}
