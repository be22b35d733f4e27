import FoundationEssentials

/// The interpreter a `#!` line names, split as the Linux kernel does: the path, then at
/// most one argument (everything after the first run of blanks, as one string).
struct Shebang: Equatable, Sendable {
    var interpreter: String
    var argument: String?

    /// Nil when the content does not start with `#!` followed by an absolute path.
    init?(_ content: Data) {
        let line = UserDataDetector.firstLine(content)
        guard line.hasPrefix("#!") else { return nil }
        let rest = line.dropFirst(2).trimmingWhitespace()
        let pieces = rest.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = pieces.first, first.hasPrefix("/") else { return nil }
        interpreter = String(first)
        argument = pieces.count > 1 ? pieces[1].trimmingWhitespace() : nil
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
