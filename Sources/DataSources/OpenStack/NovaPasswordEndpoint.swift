import FoundationEssentials

/// nova's `/openstack/<version>/password` (docs/PROTOCOLS.md §1.8): GET returns the stored
/// value or an empty body; POST stores a value once (409 when one is stored, 400 above
/// 1020 bytes). The body is the raw base64 text, sent with Content-Length.
///
/// It lives with the OpenStack source that owns the protocol: the password plugin only
/// decides when to publish, never how.
public struct NovaPasswordEndpoint: Sendable {
    public let url: URL
    public let http: MetadataHTTPClient

    public init(url: URL, http: MetadataHTTPClient) {
        self.url = url
        self.http = http
    }

    public enum PostResult: Equatable, Sendable {
        case stored
        case alreadySet
    }

    /// The endpoint of the newest metadata version under a nova base URL
    /// (`metadata_base_url`): `BASE/openstack/latest/password`, the URL `OpenStackHTTPSource`
    /// builds for `latest`.
    public static func latest(baseURL: URL) -> URL {
        baseURL.appendingPathComponent("openstack").appending(relativePath: "latest/password")
    }

    /// The stored value, "" when none. `retries` overrides the client's (0: exactly one
    /// GET, for the config-drive probe, which must not hold the boot).
    public func current(retries: Int? = nil) async throws -> String {
        let reply = try await http.send(HTTPRequestSpec(url: url), maxBytes: 4096, retries: retries)
        guard reply.status == 200 else {
            throw DataSourceError.httpStatus(url: url.absoluteString, status: reply.status)
        }
        return try reply.text(from: url).trimmingWhitespaceAndNewlines()
    }

    /// POSTs `ciphertext` (never redirected: `RedirectPolicy`). Any 2xx is stored; 409 is
    /// reported, not thrown; anything else throws, so the caller does not count it published.
    public func post(_ ciphertext: String) async throws -> PostResult {
        let request = HTTPRequestSpec(
            method: "POST", url: url, headers: ["Content-Type": "text/plain"], body: Data(ciphertext.utf8))
        let reply = try await http.send(request, maxBytes: 4096)
        switch reply.status {
        case 200...299: return .stored
        case 409: return .alreadySet
        default: throw DataSourceError.httpStatus(url: url.absoluteString, status: reply.status)
        }
    }
}
