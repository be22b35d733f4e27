import FoundationEssentials

/// The interpreter a `#!` line names, split as the Linux kernel does: the path, then at
/// most one argument (everything after the first run of blanks, as one string).
struct Shebang: Equatable, Sendable {
    var interpreter: String
    var argument: String?

    /// Nil when the content does not start with `#!` followed by an absolute path.
    init?(_ content: Data) {
        let line = Self.firstLine(content)
        guard line.hasPrefix("#!") else { return nil }
        let rest = line.dropFirst(2).trimmingWhitespace()
        let pieces = rest.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = pieces.first, first.hasPrefix("/") else { return nil }
        interpreter = String(first)
        argument = pieces.count > 1 ? pieces[1].trimmingWhitespace() : nil
    }

    /// The first line of a script as the kernel reads its `#!` line: a UTF-8 byte order mark
    /// skipped, the line ending (LF or CRLF) left out, at most the first 4 KiB looked at.
    static func firstLine(_ data: Data) -> String {
        var bytes = data.prefix(4096)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let line = bytes.prefix { $0 != 0x0A }
        return String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
    }

    init(interpreter: String, argument: String? = nil) {
        self.interpreter = interpreter
        self.argument = argument
    }

    /// The argv that runs `scriptPath` with this interpreter (no shell in between).
    func argv(scriptPath: String) -> [String] {
        [interpreter] + (argument.map { [$0] } ?? []) + [scriptPath]
    }
}
