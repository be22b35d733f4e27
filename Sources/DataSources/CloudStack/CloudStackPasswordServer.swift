import FoundationEssentials

/// CloudStack's password server on the virtual router, port 8080 (docs/PROTOCOLS.md,
/// CloudStack): `GET /` with the header `DomU_Request: send_my_password` answers the
/// password set for the asking address, `saved_password` when there is none (nothing new),
/// or `bad_request`; `DomU_Request: saved_password` tells it the password was taken, and it
/// forgets it. Facts from CloudStack's own server (`systemvm/.../passwd_server_ip.py`),
/// cloud-init `CloudStackPasswordServerClient` and cloudbase-init `cloudstack.py`; Exoscale
/// serves the same protocol at `http://169.254.169.254:8080/1.0/` (cloud-init `DataSourceExoscale`).
///
/// Asking never consumes the password: only the acknowledgement does, so the agent sends it
/// only once /etc/shadow provably holds the password, and an unacknowledged password is
/// handed out again at the next boot.
public struct CloudStackPasswordServer: Sendable {
    public let url: URL
    public let http: MetadataHTTPClient

    /// The password server's port on the router (cloudbase-init `password_server_port`).
    public static let port = 8080
    static let requestHeader = "DomU_Request"
    /// Far above any password CloudStack generates; the answer is one short line.
    static let maxBytes = 4096

    public init(url: URL, http: MetadataHTTPClient) {
        self.url = url
        self.http = http
    }

    /// `http://ROUTER:8080/` (CloudStack), or with a path (Exoscale's `/1.0/`).
    public static func url(router: String, port: Int = port, path: String = "/") -> URL? {
        let host = router.contains(":") ? "[\(router)]" : router
        return URL(string: "http://\(host):\(port)\(path)")
    }

    public enum Answer: Sendable, Equatable {
        /// A new password for this instance. Secret.
        case password(String)
        /// `saved_password` or an empty answer: nothing new since the last acknowledgement.
        case nothingNew
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case badRequest(url: String)
        public var description: String {
            switch self {
            case .badRequest(let url): "the password server at \(url) answered bad_request"
            }
        }
    }

    /// Asks for the password (`send_my_password`). Why the body decides and not the status:
    /// CloudStack's server sends 200 before it looks at the request, and `bad_request` follows
    /// a second status line in the body.
    public func fetch() async throws -> Answer {
        let text = try await request("send_my_password")
        switch text {
        case "", "saved_password": return .nothingNew
        case _ where text.hasSuffix("bad_request"): throw Failure.badRequest(url: url.absoluteString)
        default: return .password(text)
        }
    }

    /// Tells the server the password was set (`saved_password`); it then answers
    /// `saved_password` until the next reset.
    public func acknowledge() async throws {
        let text = try await request("saved_password")
        if text.hasSuffix("bad_request") { throw Failure.badRequest(url: url.absoluteString) }
    }

    private func request(_ kind: String) async throws -> String {
        let reply = try await http.send(
            HTTPRequestSpec(url: url, headers: [Self.requestHeader: kind]), maxBytes: Self.maxBytes)
        guard reply.status == 200 || reply.status == 400 else {
            throw DataSourceError.httpStatus(url: url.absoluteString, status: reply.status)
        }
        // The answer is one token; surrounding white space is not part of a password (cloud-init strips it too).
        return try reply.text(from: url).trimmingWhitespaceAndNewlines()
    }
}
