import AgentBase

/// Checks on `files` entries of meta_data.json, which come from the cloud user and are a
/// known traversal vector (cloud-init joins content_path without checking for `..`;
/// docs/PROTOCOLS.md §1.4).
public enum InjectedFilePolicy {
    /// A guest path is acceptable when absolute, free of `.`/`..`/empty components,
    /// NUL and control characters, not longer than PATH_MAX and with no component longer
    /// than NAME_MAX (everything the writer's `SystemRoot` rule refuses, and more).
    public static func validateGuestPath(_ path: String) -> String? {
        // Bytes and scalars, never Characters: a combining mark after a '/' joins it into
        // one Character, and a Character split of "/../\u{301}etc" sees no ".." component
        // while the kernel does.
        guard path.utf8.first == UInt8(ascii: "/") else { return "path must be absolute" }
        guard path.utf8.count < 4096 else { return "path is longer than 4095 bytes" }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return "path contains control characters"
        }
        let parts = path.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let dots: (Substring.UnicodeScalarView) -> Bool = {
            $0.elementsEqual(".".unicodeScalars) || $0.elementsEqual("..".unicodeScalars)
        }
        guard !parts.isEmpty, !parts.contains(where: { $0.isEmpty || dots($0) }) else {
            return "path has an empty, '.' or '..' component"
        }
        // NAME_MAX, as the writer's `SystemRoot` rule: refused here, by name, not later.
        guard !parts.contains(where: { $0.reduce(0) { $0 + UTF8.width($1) } > 255 }) else {
            return "path has a component longer than 255 bytes"
        }
        return nil
    }

    /// `content_path` must name one file directly under `openstack/content/`.
    /// Returns the tree-relative path (`content/0000`) or nil when it escapes.
    static func contentTreePath(_ contentPath: String) -> String? {
        var rest = Substring(contentPath)
        if rest.hasPrefix("/") { rest = rest.dropFirst() }
        guard rest.hasPrefix("content/") else { return nil }
        let name = rest.dropFirst("content/".count)
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard !name.isEmpty, allowed, name.count <= 64 else { return nil }
        return String(rest)
    }
}
