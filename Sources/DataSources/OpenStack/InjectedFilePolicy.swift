/// Checks on `files` entries of meta_data.json, which come from the cloud user and are a
/// known traversal vector (cloud-init joins content_path without checking for `..`).
enum InjectedFilePolicy {
    /// A guest path is acceptable when absolute, free of `.`/`..`/empty components,
    /// NUL and control characters, and not longer than PATH_MAX.
    static func validateGuestPath(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return "path must be absolute" }
        guard path.utf8.count < 4096 else { return "path is longer than 4095 bytes" }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return "path contains control characters"
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard !parts.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            return "path has an empty, '.' or '..' component"
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
