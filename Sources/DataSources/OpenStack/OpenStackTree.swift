import FoundationEssentials

/// Read access to an OpenStack metadata tree rooted at `openstack/`: the HTTP API
/// or a config drive. Paths are relative (`latest/meta_data.json`, `content/0000`).
public protocol OpenStackTree: Sendable {
    /// Contents of `relativePath`, nil when absent (404 / no such file); throws when
    /// present but unreadable or larger than `maxBytes`.
    func read(_ relativePath: String, maxBytes: Int) async throws -> Data?
    /// The version listing (`GET /openstack`, or the drive's `openstack/` directory
    /// names), one per line; nil when the tree offers none.
    func versionListing(maxBytes: Int) async throws -> String?
    /// Where `relativePath` lives, for error messages (a URL or a device path).
    func location(of relativePath: String) -> String
}
