import AgentBase
import DataSources

/// User names in sudoers rules and drop-in file names, written so that sudo reads exactly
/// that one user. Names passed here have passed `AdminUser.validate`.
enum SudoersRule {
    /// `name` as the user part of a rule: as it is when sudoers reads it as a user name in
    /// any case (`[a-z_][a-z0-9_-]*`, the rule names had before), else in double quotes.
    ///
    /// Why quotes: unquoted, `ALL` means every user and an upper-case word (`ADMIN`) a
    /// User_Alias, so a drop-in `ALL ALL=(ALL:ALL) ALL` for a user named ALL would give
    /// every user sudo (checked with `cvtsudoers -m user=root`). Quoted, sudoers reads a
    /// user name, except with a leading `#` (a uid), `%` (a group) or `+` (a netgroup), or
    /// a `"` or `\` inside (not read back as written): those are refused, naming the user.
    static func user(_ name: String) throws -> String {
        if (try? /[a-z_][a-z0-9_-]*/.wholeMatch(in: name)) != nil { return name }
        if let first = name.first, "#%+".contains(first) {
            throw UserError.invalidName(
                HostnameValidator.preview(name), "sudoers would read a leading '\(first)' as something else than a user"
            )
        }
        if name.contains("\"") || name.contains("\\") {
            throw UserError.invalidName(
                HostnameValidator.preview(name), "a sudoers rule cannot name a user with '\"' or '\\' in it")
        }
        return "\"\(name)\""
    }

    /// `prefix` + `name` as a file name sudo reads in /etc/sudoers.d: it skips names that
    /// hold a `.` or end in `~`, so every character outside `[A-Za-z0-9_-]` is written as
    /// `%HH` per UTF-8 byte (`%` itself included, so two names never share a file).
    /// `[a-z0-9_-]` names are unchanged.
    static func dropInName(_ prefix: String, for name: String) -> String {
        let kept = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".utf8)
        return prefix
            + name.utf8.map {
                kept.contains($0) ? String(UnicodeScalar($0)) : "%" + PlainFormat.upperHex(UInt32($0), width: 2)
            }
            .joined()
    }
}
