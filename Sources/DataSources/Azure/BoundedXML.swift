import AgentBase
import FoundationEssentials

/// One element of a document `BoundedXML` read: its local name (namespace prefix dropped:
/// Azure's documents write `wa:UserName` or `UserName` as the writer pleases), its attributes
/// and its child elements, and the text directly inside it (entities decoded, CDATA kept).
struct XMLTreeElement: Sendable, Equatable {
    var name: String
    var attributes: [String: String] = [:]
    var children: [XMLTreeElement] = []
    var text = ""

    /// The child elements called `name`, in document order.
    func children(named name: String) -> [XMLTreeElement] { children.filter { $0.name == name } }

    /// The first child element called `name`.
    func child(_ name: String) -> XMLTreeElement? { children.first { $0.name == name } }

    /// The element at `path` below this one (each step the first child of that name).
    func descendant(_ path: [String]) -> XMLTreeElement? {
        path.reduce(Optional(self)) { element, step in element?.child(step) }
    }
}

/// Why a document is not XML the agent reads, and where (1-based line).
struct XMLReadError: Error, Equatable, CustomStringConvertible {
    var line: Int
    var reason: String
    var description: String { "line \(line): \(reason)" }
}

/// A small XML reader for the Azure documents (ovf-env.xml, the WireServer's goal state),
/// written for hostile input instead of linking libxml2 (the binary takes no new shared
/// library) or FoundationXML.
///
/// It reads elements, attributes, text, CDATA, comments, processing instructions and the
/// five predefined entities plus character references; it refuses a DOCTYPE (so no entity
/// can be declared, and none expanded: no "billion laughs"), a document past `maxBytes`,
/// nesting past `maxDepth`, more than `maxElements` elements, mismatched or unclosed tags,
/// text outside the root and bytes that are not UTF-8, each as an `XMLReadError` naming the
/// line. It never recurses on input (an explicit stack), so no input can overflow the stack.
struct BoundedXML {
    var maxBytes = 1 << 20
    var maxDepth = 32
    var maxElements = 10_000

    private struct Cursor {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var atEnd: Bool { index >= bytes.count }
        func peek(_ offset: Int = 0) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
        func starts(with text: String) -> Bool { starts(with: Array(text.utf8)) }
        func starts(with pattern: [UInt8]) -> Bool {
            guard index + pattern.count <= bytes.count else { return false }
            return bytes[index..<(index + pattern.count)].elementsEqual(pattern)
        }
        /// An error at the cursor's line.
        func fail(_ reason: String) -> XMLReadError { XMLReadError(line: line, reason: reason) }
        mutating func advance(_ count: Int = 1) {
            for _ in 0..<count where index < bytes.count {
                if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                index += 1
            }
        }
        /// Moves past the next `terminator`, returning what came before it; nil at the end.
        mutating func take(until terminator: String) -> [UInt8]? {
            let start = index
            let pattern = Array(terminator.utf8)
            while !atEnd {
                if bytes[index] == pattern[0], starts(with: pattern) {
                    let taken = Array(bytes[start..<index])
                    advance(pattern.count)
                    return taken
                }
                advance()
            }
            return nil
        }
    }

    /// The document's root element, or an `XMLReadError`.
    func parse(_ data: Data) throws -> XMLTreeElement {
        guard data.count <= maxBytes else {
            throw XMLReadError(line: 1, reason: "document is \(data.count) bytes, more than the \(maxBytes) allowed")
        }
        var cursor = Cursor(bytes: Array(data))
        // A UTF-8 byte order mark is allowed before anything else.
        if cursor.starts(with: "\u{FEFF}") { cursor.advance(3) }
        var stack: [XMLTreeElement] = []
        var root: XMLTreeElement?
        var elements = 0

        while !cursor.atEnd {
            if cursor.starts(with: "<!--") {
                cursor.advance(4)
                guard cursor.take(until: "-->") != nil else { throw cursor.fail("unterminated comment") }
            } else if cursor.starts(with: "<![CDATA[") {
                guard !stack.isEmpty else { throw cursor.fail("CDATA outside the root element") }
                cursor.advance(9)
                guard let raw = cursor.take(until: "]]>") else { throw cursor.fail("unterminated CDATA section") }
                stack[stack.count - 1].text += try Self.utf8(raw, line: cursor.line)
            } else if cursor.starts(with: "<!") {
                throw cursor.fail("a DOCTYPE or other declaration is not accepted")
            } else if cursor.starts(with: "<?") {
                cursor.advance(2)
                guard cursor.take(until: "?>") != nil else { throw cursor.fail("unterminated processing instruction") }
            } else if cursor.starts(with: "</") {
                cursor.advance(2)
                guard let raw = cursor.take(until: ">") else { throw cursor.fail("unterminated end tag") }
                let name = try Self.utf8(raw, line: cursor.line).trimmingWhitespaceAndNewlines()
                guard let open = stack.popLast() else {
                    throw cursor.fail("end tag </\(Self.preview(name))> with no open element")
                }
                guard Self.localName(name) == open.name, !name.isEmpty else {
                    throw cursor.fail("end tag </\(Self.preview(name))> does not close <\(open.name)>")
                }
                if stack.isEmpty {
                    guard root == nil else { throw cursor.fail("a second root element") }
                    root = open
                } else {
                    stack[stack.count - 1].children.append(open)
                }
            } else if cursor.peek() == UInt8(ascii: "<") {
                cursor.advance()
                guard root == nil else { throw cursor.fail("content after the root element") }
                elements += 1
                guard elements <= maxElements else { throw cursor.fail("more than \(maxElements) elements") }
                guard stack.count < maxDepth else { throw cursor.fail("elements nested deeper than \(maxDepth)") }
                let (element, selfClosing) = try readStartTag(&cursor)
                if selfClosing {
                    if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
                } else {
                    stack.append(element)
                }
            } else {
                let start = cursor.index
                while let byte = cursor.peek(), byte != UInt8(ascii: "<") { cursor.advance() }
                let raw = Array(cursor.bytes[start..<cursor.index])
                let text = try Self.decodeEntities(try Self.utf8(raw, line: cursor.line), line: cursor.line)
                if stack.isEmpty {
                    guard text.allSatisfy(\.isWhitespace) else {
                        throw cursor.fail("text outside the root element ('\(Self.preview(text))')")
                    }
                } else {
                    stack[stack.count - 1].text += text
                }
            }
        }
        if let open = stack.last { throw cursor.fail("<\(open.name)> is never closed") }
        guard let root else { throw cursor.fail("no root element") }
        return root
    }

    /// `<name attr="value" ...>` or `.../>`, the `<` already read.
    private func readStartTag(_ cursor: inout Cursor) throws -> (XMLTreeElement, Bool) {
        let nameStart = cursor.index
        while let byte = cursor.peek(), !Self.isSpace(byte), byte != UInt8(ascii: ">"), byte != UInt8(ascii: "/") {
            cursor.advance()
        }
        let name = try Self.utf8(Array(cursor.bytes[nameStart..<cursor.index]), line: cursor.line)
        guard Self.isName(name) else { throw cursor.fail("'<\(Self.preview(name))' is not an element name") }
        var element = XMLTreeElement(name: Self.localName(name))
        while true {
            while let byte = cursor.peek(), Self.isSpace(byte) { cursor.advance() }
            guard let byte = cursor.peek() else { throw cursor.fail("unterminated start tag <\(element.name)>") }
            if byte == UInt8(ascii: ">") {
                cursor.advance()
                return (element, false)
            }
            if cursor.starts(with: "/>") {
                cursor.advance(2)
                return (element, true)
            }
            let attributeStart = cursor.index
            while let next = cursor.peek(), next != UInt8(ascii: "="), !Self.isSpace(next), next != UInt8(ascii: ">") {
                cursor.advance()
            }
            let attribute = try Self.utf8(Array(cursor.bytes[attributeStart..<cursor.index]), line: cursor.line)
            while let next = cursor.peek(), Self.isSpace(next) { cursor.advance() }
            guard Self.isName(attribute), cursor.peek() == UInt8(ascii: "=") else {
                throw cursor.fail("malformed attribute in <\(element.name)>")
            }
            cursor.advance()
            while let next = cursor.peek(), Self.isSpace(next) { cursor.advance() }
            guard let quote = cursor.peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw cursor.fail("attribute \(Self.preview(attribute)) of <\(element.name)> is not quoted")
            }
            cursor.advance()
            guard let raw = cursor.take(until: quote == UInt8(ascii: "\"") ? "\"" : "'") else {
                throw cursor.fail("unterminated attribute \(Self.preview(attribute)) of <\(element.name)>")
            }
            guard !raw.contains(UInt8(ascii: "<")) else {
                throw cursor.fail("'<' in attribute \(Self.preview(attribute))")
            }
            element.attributes[attribute] = try Self.decodeEntities(
                try Self.utf8(raw, line: cursor.line), line: cursor.line)
        }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// A name as the agent accepts it: not empty, no markup or quote characters.
    static func isName(_ text: String) -> Bool {
        !text.isEmpty && !text.contains(where: { "<>&\"'=/!?".contains($0) || $0.isWhitespace })
    }

    /// `wa:UserName` -> `UserName`.
    static func localName(_ name: String) -> String {
        name.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init) ?? name
    }

    static func utf8(_ bytes: [UInt8], line: Int) throws -> String {
        guard let text = String(data: Data(bytes), encoding: .utf8) else {
            throw XMLReadError(line: line, reason: "bytes that are not UTF-8")
        }
        return text
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and `&#NN;` `&#xHH;`; any other entity is refused
    /// (none can be declared: there is no DOCTYPE).
    static func decodeEntities(_ text: String, line: Int) throws -> String {
        func fail(_ reason: String) -> XMLReadError { XMLReadError(line: line, reason: reason) }
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let afterAmpersand = rest.index(after: ampersand)
            guard let semicolon = rest[afterAmpersand...].prefix(12).firstIndex(of: ";") else {
                throw fail("'&' that starts no entity")
            }
            let entity = String(rest[afterAmpersand..<semicolon])
            switch entity {
            case "lt": result += "<"
            case "gt": result += ">"
            case "amp": result += "&"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let scalar: UInt32? =
                    entity.hasPrefix("#x")
                    ? UInt32(entity.dropFirst(2), radix: 16)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst(), radix: 10) : nil
                guard let scalar, scalar != 0, let character = Unicode.Scalar(scalar) else {
                    throw fail("unknown entity '&\(preview(entity));'")
                }
                result.unicodeScalars.append(character)
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }

    /// At most 40 characters of `text`, for messages.
    static func preview(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "..." : text
    }
}
