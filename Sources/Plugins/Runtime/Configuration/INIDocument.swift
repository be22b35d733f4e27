/// A parsed INI file: `[section]` headers, `key = value` (or `key: value`) lines,
/// `#` and `;` comment lines. Keys before any header belong to `DEFAULT`.
/// Section and key names are case-insensitive (stored lower-case; DEFAULT stays DEFAULT).
public struct INIDocument: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var value: String
        public var line: Int
    }

    /// section -> key -> entry
    public private(set) var sections: [String: [String: Entry]] = ["DEFAULT": [:]]
    /// line number of each section header
    public private(set) var sectionLines: [String: Int] = [:]

    /// Parses `text`; `file` only names the source in errors.
    public init(text: String, file: String) throws {
        var section = "DEFAULT"
        // Split on scalars, not Characters: in Swift "\r\n" is one Character, so splitting a
        // CRLF file (written on Windows) on "\n" would see a single line.
        for (index, rawLine) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            let lineNumber = index + 1
            var scalars = rawLine
            if scalars.last == "\r" { scalars.removeLast() }
            let line = String(String.UnicodeScalarView(scalars)).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw ConfigError.syntax(file: file, line: lineNumber, text: line)
                }
                let name = line.dropFirst().dropLast().trimmingWhitespace()
                section = name.uppercased() == "DEFAULT" ? "DEFAULT" : name.lowercased()
                sections[section, default: [:]] = sections[section] ?? [:]
                sectionLines[section] = lineNumber
                continue
            }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ConfigError.syntax(file: file, line: lineNumber, text: line)
            }
            let key = line[..<separator].trimmingWhitespace().lowercased()
            let value = line[line.index(after: separator)...].trimmingWhitespace()
            guard !key.isEmpty else { throw ConfigError.syntax(file: file, line: lineNumber, text: line) }
            if let previous = sections[section]?[key] {
                throw ConfigError.duplicateKey(file: file, line: lineNumber, key: key, firstLine: previous.line)
            }
            sections[section, default: [:]][key] = Entry(value: value, line: lineNumber)
        }
    }
}
