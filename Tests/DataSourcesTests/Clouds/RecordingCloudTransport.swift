import DataSources
import Foundation
import TestSupport
import Testing

/// An in-memory metadata service for the clouds' unit tests: answers each path from a
/// table (404 for the rest) and records every request it was sent, headers included, so
/// that a test can prove a source sent nothing at all, or sent the header its platform needs.
final class RecordingCloudTransport: HTTPTransport, @unchecked Sendable {
    /// Path (`/metadata/v1.json`, with its trailing slash and query as sent) to status and body.
    let routes: [String: (status: Int, body: Data)]
    private let lock = NSLock()
    private var sent: [HTTPRequestSpec] = []

    init(_ routes: [String: (status: Int, body: Data)] = [:]) {
        self.routes = routes
    }

    /// Routes answering 200 with each text.
    convenience init(texts: [String: String]) {
        self.init(texts.mapValues { (200, Data($0.utf8)) })
    }

    var requests: [HTTPRequestSpec] { lock.withLock { sent } }

    func send(_ request: HTTPRequestSpec, limits: TransferLimits) async throws -> HTTPReply {
        lock.withLock { sent.append(request) }
        // The path exactly as sent, trailing slash and query included (`URL.path` drops the
        // trailing slash on Linux, and OCI and GCE paths end in one).
        let text = request.url.absoluteString
        let afterScheme = text.range(of: "://").map { text[$0.upperBound...] } ?? text[...]
        let key = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
        guard let route = routes[key] else { return HTTPReply(status: 404, body: Data()) }
        return HTTPReply(status: route.status, body: route.body)
    }

    /// A client with no retries over this transport.
    var client: MetadataHTTPClient {
        MetadataHTTPClient(transport: self, policy: RetryPolicy(retries: 0, requestTimeout: 2, totalTimeout: 5))
    }
}

/// A scratch root whose `/sys/class/dmi/id` holds `fields` (`sys_vendor`: `DigitalOcean`).
func dmiRoot(_ fields: [String: String]) throws -> TemporaryDirectory {
    let root = try TemporaryDirectory(prefix: "guest-agent-clouds")
    try root.write("", to: "sys/class/dmi/id/.keep")
    for (field, value) in fields { try root.write(value + "\n", to: "sys/class/dmi/id/\(field)") }
    return root
}
