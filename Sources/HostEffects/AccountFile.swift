import AgentBase
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The one parser for the colon-separated account files of the target root (passwd,
/// group, shadow): one record per line, fields split on `:` with empty fields kept.
/// Read from the root's files, not NSS: with `--root` the host's users are not the image's.
public enum AccountFile {
    /// The records of the guest file `guestPath` that have at least `minimumFields` fields;
    /// an absent file has none. Bytes that are not UTF-8 are read leniently (names are ASCII).
    public static func records(_ guestPath: String, root: SystemRoot, minimumFields: Int) throws -> [[Substring]] {
        guard let data = try AtomicFileWriter(root: root).read(guestPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            return fields.count >= minimumFields ? fields : nil
        }
    }
}
