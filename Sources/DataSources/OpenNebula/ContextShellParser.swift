import FoundationEssentials

/// Reads OpenNebula's `context.sh` as DATA: the variable assignments OpenNebula writes, never
/// run by a shell (docs/PROTOCOLS.md, OpenNebula).
///
/// Why a parser and not `sh`: cloud-init runs the file through `sh -e` (as the user
/// `nobody`) and diffs the environment, so whatever the file holds runs on the guest at
/// boot. The file is the cloud's, but its values are the instance owner's text; a value is
/// never evaluated here, only copied.
///
/// Accepted, per line (each form as OpenNebula's generators write it):
/// - blank lines and `#` comments;
/// - `NAME='value'`: single quotes, in which everything is literal, newlines too (a value may
///   span lines); a `'` inside a value is written `'\''` (close, escaped quote, reopen), which
///   is what OpenNebula's `VirtualMachine::generate_context` writes;
/// - `NAME="value"` with literal text only (OpenNebula 3.x wrote double quotes, unescaped):
///   a `$`, a backtick or a backslash inside is refused, since a shell would expand it;
/// - `NAME=word` of letters, digits and `_ . / : @ % + , - =` only, and `NAME=` (empty);
/// - the parts above glued together (`'a'\''b'`), as the shell joins them into one word.
/// Anything else (a command, `$(...)`, a backtick, `;`, a second word, an unterminated
/// quote) throws `ContextShellError` naming the line; its message never quotes the value,
/// which may be a password.
public enum ContextShellParser {
    /// The variables in file order of last assignment (a later assignment wins, as in sh).
    public static func parse(_ data: Data) throws -> [String: String] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ContextShellError(line: 1, reason: "the file is not UTF-8 text")
        }
        // CRLF files: cloudbase-init accepts them (a Windows-built ISO); a shell would keep the \r.
        let normalized = text.contains("\r\n") ? text.replacing("\r\n", with: "\n") : text
        var reader = ContextShellReader(Array(normalized.unicodeScalars))
        var variables: [String: String] = [:]
        while let (name, value) = try reader.nextAssignment() {
            variables[name] = value
        }
        return variables
    }
}

/// A line of `context.sh` that is not one of the accepted assignment forms.
public struct ContextShellError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line where the offending assignment (or text) starts.
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "context.sh line \(line): \(reason)" }
}
