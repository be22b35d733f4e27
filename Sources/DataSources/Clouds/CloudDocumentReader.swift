import AgentBase
import FoundationEssentials

/// Reads one cloud's metadata documents over HTTP with the client's timeouts, retries and
/// size caps, sending the headers the platform requires on every request
/// (`Metadata-Flavor: Google`, `Authorization: Bearer Oracle`).
struct CloudDocumentReader: Sendable {
    let client: MetadataHTTPClient
    /// Sent with every request.
    let headers: [String: String]

    init(client: MetadataHTTPClient, headers: [String: String] = [:]) {
        self.client = client
        self.headers = headers
    }

    /// The body of a GET: nil on 404, empty on 204 (Hetzner answers 204 for "no user data"),
    /// a named `DataSourceError` for any other status, an oversize body or a transport failure.
    func optional(_ url: URL, maxBytes: Int) async throws -> Data? {
        let reply = try await client.send(HTTPRequestSpec(url: url, headers: headers), maxBytes: maxBytes)
        if reply.status == 204 { return Data() }
        return try reply.bodyIfPresent(from: url)
    }

    /// The body of a GET the platform always serves: a 404 is an error naming the URL.
    func required(_ url: URL, maxBytes: Int) async throws -> Data {
        guard let data = try await optional(url, maxBytes: maxBytes) else {
            throw DataSourceError.httpStatus(url: url.absoluteString, status: 404)
        }
        return data
    }

    /// A required JSON document whose top level is an object.
    func jsonObject(_ url: URL, maxBytes: Int) async throws -> [String: JSONValue] {
        try CloudJSON.object(try await required(url, maxBytes: maxBytes), location: url.absoluteString)
    }
}
