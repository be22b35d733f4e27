import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// The settings of the target root's /etc/login.defs (shadow's configuration file), read
/// the way useradd reads them, so that a home the agent repairs gets the mode a home
/// created by useradd in that image would have had.
struct LoginDefs: Equatable {
    /// The file every rule below refers to (inside the target root).
    static let path = "/etc/login.defs"
    /// What useradd uses when login.defs has neither HOME_MODE nor UMASK.
    static let defaultHomeMode: mode_t = 0o755

    /// `NAME -> value`, the last occurrence of a name winning (as in shadow's getdef.c).
    let values: [String: String]

    /// The mode a new home gets, and where it came from (for the log line).
    struct HomeMode: Equatable {
        var mode: mode_t
        var source: String
    }

    /// Parses the text of a login.defs: `NAME value` per line, blank lines and lines
    /// starting with `#` ignored, surrounding whitespace and double quotes stripped.
    init(text: String) {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            // Most of the file is comments: they are passed over before any copying.
            if rawLine.utf8.first(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") })
                == UInt8(ascii: "#")
            {
                continue
            }
            let line = rawLine.trimmingWhitespace()
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let split = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { continue }
            var value = line[split...].trimmingWhitespace()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            values[String(line[..<split])] = value
        }
        self.values = values
    }

    /// The target root's login.defs; empty (every default) when the file does not exist.
    static func read(_ writer: AtomicFileWriter) throws -> LoginDefs {
        LoginDefs(text: try writer.read(path).map { String(decoding: $0, as: UTF8.self) } ?? "")
    }

    /// useradd's rule: `HOME_MODE` when set, else `0777 & ~UMASK`, else 0755. Only the
    /// permission bits are kept: a home never gets setuid, setgid or sticky from here.
    var homeMode: HomeMode {
        if let mode = number("HOME_MODE") {
            return HomeMode(mode: mode & 0o777, source: "HOME_MODE \(values["HOME_MODE", default: ""]) in \(Self.path)")
        }
        if let umask = number("UMASK") {
            return HomeMode(
                mode: 0o777 & ~umask, source: "0777 & ~UMASK \(values["UMASK", default: ""]) in \(Self.path)")
        }
        return HomeMode(mode: Self.defaultHomeMode, source: "default, no HOME_MODE or UMASK in \(Self.path)")
    }

    /// A numeric value read like shadow's getdef_num (strtol with base 0): `0x` prefix is
    /// hexadecimal, a leading `0` octal, anything else decimal. Why not always octal: the
    /// same file must give the agent and useradd the same mode, and useradd reads
    /// `UMASK 22` as decimal 22. A value that is not a number is ignored, as useradd does.
    func number(_ name: String) -> mode_t? {
        guard let text = values[name], !text.isEmpty else { return nil }
        let parsed: UInt64?
        if text.lowercased().hasPrefix("0x") {
            parsed = UInt64(text.dropFirst(2), radix: 16)
        } else if text.hasPrefix("0") {
            parsed = UInt64(text, radix: 8)
        } else {
            parsed = UInt64(text, radix: 10)
        }
        guard let parsed, parsed <= UInt64(Int32.max) else { return nil }
        return mode_t(truncatingIfNeeded: parsed)
    }
}
