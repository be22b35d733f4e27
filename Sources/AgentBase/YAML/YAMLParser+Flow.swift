/// Flow collections: `[a, b]`, `{key: value}`, nested, over several lines; a `key: value`
/// entry of a flow sequence is a one-pair mapping (as PyYAML reads it).
extension YAMLParser {
    /// Skips blanks, line breaks and comments between flow tokens.
    mutating func skipFlowSpace() {
        while let scalar = peek() {
            if Self.isBlank(scalar) || scalar == "\n" {
                index += 1
            } else if scalar == "#" && (index == 0 || Self.isBreakOrBlank(text[index - 1])) {
                skipToLineEnd()
            } else {
                break
            }
        }
    }

    mutating func parseFlowCollection() throws -> YAMLValue {
        try enterCollection()
        defer { depth -= 1 }
        let opening = index
        let isSequence = peek() == "["
        let closing: Unicode.Scalar = isSequence ? "]" : "}"
        let name = isSequence ? "flow sequence ([)" : "flow mapping ({)"
        index += 1
        var items: [YAMLValue] = []
        var entries: [String: YAMLValue] = [:]
        while true {
            skipFlowSpace()
            if peek() == closing {
                index += 1
                break
            }
            let entryStart = index
            let (node, wasQuoted) = try parseFlowNode()
            skipFlowSpace()
            var pair: (key: String, value: YAMLValue)?
            if peek() == ":" && (wasQuoted || Self.isFlowEnd(peek(1))) {
                guard let key = node.flowKey else {
                    throw error("a mapping key must be a scalar", at: entryStart)
                }
                index += 1
                skipFlowSpace()
                let value = (peek() == "," || peek() == closing) ? YAMLValue.null : try parseFlowNode().value
                pair = (key, value)
                skipFlowSpace()
            }
            if isSequence {
                items.append(pair.map { .map([$0.key: $0.value]) } ?? node)
            } else {
                guard let entry = pair ?? node.flowKey.map({ ($0, YAMLValue.null) }) else {
                    throw error("a mapping key must be a scalar", at: entryStart)
                }
                if entries[entry.key] != nil { noteDuplicatedKey(entry.key, at: entryStart) }
                entries[entry.key] = entry.value
            }
            if peek() == "," {
                index += 1
                continue
            }
            if peek() == closing {
                index += 1
                break
            }
            if peek() == nil {
                throw error("unterminated \(name) (opened at \(describe(opening)))")
            }
            throw error("expected \",\" or \"\(closing)\" in a \(name)")
        }
        return isSequence ? .list(items) : .map(entries)
    }

    /// `:` ends a plain key in flow context when a blank, a line break, the end or `,[]{}` follows.
    static func isFlowEnd(_ scalar: Unicode.Scalar?) -> Bool {
        isBreakOrBlank(scalar) || scalar == "," || scalar == "[" || scalar == "]" || scalar == "{" || scalar == "}"
    }

    /// One node inside a flow collection, and whether it was quoted (a quoted key may be
    /// followed by `:` directly, JSON style).
    mutating func parseFlowNode() throws -> (value: YAMLValue, quoted: Bool) {
        skipFlowSpace()
        switch peek() {
        case nil:
            throw error("unterminated flow collection")
        case "[", "{":
            return (try parseFlowCollection(), false)
        case "\"", "'":
            return (.string(try parseQuoted(parentIndent: -1)), true)
        case "&", "*":
            throw error("anchors and aliases (& and *) are not supported")
        case "!":
            return (try parseTagged(parentIndent: -1, inFlow: true), false)
        case "|", ">":
            throw error("block scalars (| and >) are not allowed inside [ ] or { }")
        case ",", "]", "}":
            throw error("expected a value before \"\(peek()!)\"")
        case "@", "`", "%":
            throw error("a plain scalar cannot start with \"\(peek()!)\" (quote it)")
        default:
            return (YAMLScalarResolver.resolve(parsePlainFlow()), false)
        }
    }

    /// A plain scalar inside `[ ]` or `{ }`: up to `,`, a bracket, `: ` or a comment; it may
    /// continue on the next lines (folded with spaces).
    mutating func parsePlainFlow() -> String {
        var result = String.UnicodeScalarView()
        while true {
            let start = index
            var end = index
            while let scalar = peek(), scalar != "\n" {
                if Self.isFlowIndicator(scalar) { break }
                if scalar == ":" && Self.isFlowEnd(peek(1)) { break }
                if scalar == "#" && index > start && Self.isBlank(text[index - 1]) { break }
                index += 1
                if !Self.isBlank(scalar) { end = index }
            }
            if !result.isEmpty && end > start { result.append(" ") }
            result.append(contentsOf: text[start..<end])
            guard peek() == "\n" else { break }
            let lineEnd = index
            skipFlowSpace()
            guard let next = peek(), !["," as Unicode.Scalar, "[", "]", "{", "}", ":", "#"].contains(next) else {
                index = lineEnd
                break
            }
        }
        return String(result)
    }
}

extension YAMLValue {
    /// A scalar as a mapping key's text; nil for a collection.
    var flowKey: String? {
        switch self {
        case .list, .map: nil
        case .string(let text): text
        case .null: ""
        default: text
        }
    }
}
