import FoundationEssentials

/// Talks to the EC2 instance metadata service with IMDSv2 session tokens when the
/// service offers them, falling back to IMDSv1 (docs/PROTOCOLS.md §3.2).
///
/// - The token PUT gets a short timeout of its own: with a hop limit of 1, a guest behind
///   one more hop never sees the reply, only a timeout, and must not wait long for it.
/// - PUT answered 403/404/405 or timing out: IMDSv1 (no token), as botocore does.
/// - PUT answered 400: a named error (the request was wrong, nothing to fall back to).
/// - A GET answered 401 with a token: the token expired; acquire a new one, retry once.
actor IMDSSession {
    static let tokenHeader = "X-aws-ec2-metadata-token"
    static let ttlHeader = "X-aws-ec2-metadata-token-ttl-seconds"

    let baseURL: URL
    let client: MetadataHTTPClient
    let tokenTTL: Int
    let putTimeout: Double
    private var token: String?
    private var tokenFetch: Task<String?, any Error>?

    init(baseURL: URL, client: MetadataHTTPClient, tokenTTL: Int = 21600, putTimeout: Double = 1) {
        self.baseURL = baseURL
        self.client = client
        self.tokenTTL = tokenTTL
        self.putTimeout = putTimeout
    }

    nonisolated func url(_ path: String) -> URL {
        baseURL.appending(relativePath: path)
    }

    /// GET `path` (relative to the base URL); nil on 404.
    func get(_ path: String, maxBytes: Int) async throws -> Data? {
        let first = try await currentToken()
        let reply = try await send(path, token: first, maxBytes: maxBytes)
        guard reply.status == 401 else { return try interpret(reply, path: path) }
        // Expired or unknown token (or IMDSv2 became required): one fresh token, one retry.
        let renewed = try await renewToken(replacing: first)
        return try interpret(try await send(path, token: renewed, maxBytes: maxBytes), path: path)
    }

    private func send(_ path: String, token: String?, maxBytes: Int) async throws -> HTTPReply {
        var headers: [String: String] = [:]
        if let token { headers[Self.tokenHeader] = token }
        return try await client.send(HTTPRequestSpec(url: url(path), headers: headers), maxBytes: maxBytes)
    }

    private func interpret(_ reply: HTTPReply, path: String) throws -> Data? {
        try reply.bodyIfPresent(from: url(path))
    }

    /// The token to use now; concurrent callers share one PUT.
    private func currentToken() async throws -> String? {
        if let token { return token }
        if let tokenFetch { return try await Self.awaitCancellable(tokenFetch) }
        let fetch = Task { try await self.requestToken() }
        tokenFetch = fetch
        let value = try await Self.awaitCancellable(fetch)
        token = value
        return value
    }

    /// The shared PUT's answer. The PUT runs in a task of its own (so concurrent callers
    /// share it), which the caller's cancellation would not reach: the discovery deadline
    /// cancels the source, and the PUT would run on to the client's own time limit.
    private static func awaitCancellable(_ fetch: Task<String?, any Error>) async throws -> String? {
        try await withTaskCancellationHandler {
            try await fetch.value
        } onCancel: {
            fetch.cancel()
        }
    }

    private func renewToken(replacing old: String?) async throws -> String? {
        if token == old {
            token = nil
            tokenFetch = nil
        }
        return try await currentToken()
    }

    /// `PUT /latest/api/token`; nil means "use IMDSv1".
    private func requestToken() async throws -> String? {
        let request = HTTPRequestSpec(
            method: "PUT", url: url("latest/api/token"),
            headers: [Self.ttlHeader: String(tokenTTL)])
        do {
            let reply = try await client.send(request, maxBytes: 4096, retries: 1, timeout: putTimeout)
            switch reply.status {
            case 200:
                let token = try reply.text(from: request.url).trimmingWhitespaceAndNewlines()
                return token.isEmpty ? nil : token
            case 403, 404, 405:
                return nil
            default:
                throw DataSourceError.httpStatus(url: request.url.absoluteString, status: reply.status)
            }
        } catch DataSourceError.timedOut {
            return nil
        }
    }
}
