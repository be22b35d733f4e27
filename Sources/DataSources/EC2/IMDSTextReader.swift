import FoundationEssentials

/// Reads IMDS paths as UTF-8 text through one `IMDSSession`, each capped at `maxBytes`.
struct IMDSTextReader: Sendable {
    let session: IMDSSession
    let maxBytes: Int

    /// The text at `path` (relative to the base URL), nil on 404; a body that is not UTF-8
    /// is a `malformedDocument` naming the URL.
    func text(_ path: String) async throws -> String? {
        guard let data = try await session.get(path, maxBytes: maxBytes) else { return nil }
        return try HTTPReply(status: 200, body: data).text(from: session.url(path))
    }

    /// The text at `path` without surrounding white space, nil on 404.
    func trimmed(_ path: String) async throws -> String? {
        try await text(path)?.trimmingWhitespaceAndNewlines()
    }

    /// A listing's lines (`EC2Listing.lines`), nil on 404.
    func lines(_ path: String) async throws -> [String]? {
        try await text(path).map(EC2Listing.lines)
    }
}
