import FoundationEssentials

/// The agent's own marked block inside a file it shares with people (authorized_keys,
/// /etc/hosts). The file is handled as bytes: every byte outside the agent's block is
/// kept exactly as it was, whatever its encoding (a Latin-1 comment, CRLF line ends).
///
/// A block is a line equal to `begin`, then lines, then the next line equal to `end`.
/// Markers are whole lines, so a user's line that merely mentions the agent is never
/// taken for ours. A `begin` with no `end` before the next `begin` (or the end of the
/// file), or an `end` with no `begin`, is not a block: it is left as it is and reported,
/// so that an unterminated block can never swallow the user's lines after it.
public struct ManagedBlock: Sendable, Equatable {
    public let begin: String
    public let end: String

    public init(begin: String, end: String) {
        self.begin = begin
        self.end = end
    }

    /// The result of an edit: the new bytes, and what was found odd (for a warning).
    public struct Edit: Sendable, Equatable {
        public var data: Data
        public var warnings: [String]
    }

    /// `existing` with the first block's content replaced by `lines` (later complete
    /// blocks, also ours, removed), or the block appended when the file has none.
    public func replacing(in existing: Data, with lines: [String]) -> Edit {
        let bytes = [UInt8](existing)
        let found = scan(bytes)
        var block = Array(([begin] + lines + [end]).joined(separator: "\n").utf8)
        block.append(0x0A)
        var output: [UInt8] = []
        if found.blocks.isEmpty {
            output = bytes
            if let last = output.last, last != 0x0A { output.append(0x0A) }
            output += block
        } else {
            var cursor = 0
            for (index, range) in found.blocks.enumerated() {
                output += bytes[cursor..<range.lowerBound]
                if index == 0 { output += block }
                cursor = range.upperBound
            }
            output += bytes[cursor...]
        }
        return Edit(data: Data(output), warnings: found.warnings)
    }

    /// Byte ranges of the complete blocks (each from its `begin` line to after its `end`
    /// line's newline) and warnings for unmatched markers, by line number.
    func scan(_ bytes: [UInt8]) -> (blocks: [Range<Int>], warnings: [String]) {
        let beginBytes = Array(begin.utf8)
        let endBytes = Array(end.utf8)
        var blocks: [Range<Int>] = []
        var warnings: [String] = []
        var open: (line: Int, start: Int)?
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            let newline = bytes[start...].firstIndex(of: 0x0A)
            let next = newline.map { $0 + 1 } ?? bytes.count
            var content = bytes[start..<(newline ?? bytes.count)]
            if content.last == 0x0D { content = content.dropLast() }  // CRLF files
            if content.elementsEqual(beginBytes) {
                if let open {
                    warnings.append("line \(open.line): '\(begin)' has no matching end marker; left as it is")
                }
                open = (lineNumber, start)
            } else if content.elementsEqual(endBytes) {
                if let begun = open {
                    blocks.append(begun.start..<next)
                    open = nil
                } else {
                    warnings.append("line \(lineNumber): '\(end)' has no begin marker; left as it is")
                }
            }
            start = next
        }
        if let open { warnings.append("line \(open.line): '\(begin)' has no matching end marker; left as it is") }
        return (blocks, warnings)
    }
}
