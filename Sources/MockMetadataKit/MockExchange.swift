import Foundation

/// A request as the router sees it.
struct MockRequest {
    var method: String
    /// Normalized path: leading `/`, no trailing slash, `//`, `.` and `..` folded (like
    /// nova's posixpath.normpath); `hadTrailingSlash` remembers the original form.
    var path: String
    var hadTrailingSlash: Bool
    var headers: [String: String]
    var body: Data
    /// The client's source port (Scaleway's user data answers only one below 1024).
    var remotePort: Int? = nil
    /// The raw query (`comp=goalstate`), empty when none: Azure's WireServer tells its
    /// endpoints apart by it alone.
    var query = ""

    /// Folds the raw URI path the way nova does.
    static func normalize(_ uri: String) -> (path: String, trailingSlash: Bool) {
        let rawPath = String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        var parts: [Substring] = []
        for part in rawPath.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(part)
        }
        return ("/" + parts.joined(separator: "/"), rawPath.count > 1 && rawPath.hasSuffix("/"))
    }

    /// The query of a raw URI, without its `?`.
    static func query(of uri: String) -> String {
        uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first.map(String.init)
            ?? ""
    }

    /// The value of `name` in the query (`api-version`), nil when absent.
    func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    var components: [String] { path.split(separator: "/").map(String.init) }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What the router decided.
enum MockAction {
    case respond(MockResponse)
    /// The response, its body sent one byte per interval.
    case trickle(MockResponse, intervalMilliseconds: Int)
    /// A 200 whose body is a long run of zeros, streamed as the client reads.
    case stream(MockStream)
    /// A 200 head with `Content-Length: 1000`, then nothing.
    case headersThenSilence
    case hang
    case drop
}

extension MockAction {
    /// The status the request log records: the one sent, or -1 when none is.
    var status: Int {
        switch self {
        case .respond(let response), .trickle(let response, _): response.status
        case .stream, .headersThenSilence: 200
        case .hang, .drop: -1
        }
    }
}

/// A streamed body of zeros (`--oversize`, `--oversize-unannounced`).
struct MockStream {
    /// Bytes sent in all.
    var totalBytes: Int
    /// Bytes per write; the next write starts when the previous one completed.
    var chunkBytes: Int
    /// Send `Content-Length: totalBytes`; without it the body is chunked.
    var announcesLength: Bool

    static let oneGiB = 1 << 30

    /// 1 GiB of zeros in 64 KiB chunks.
    static func oversize(announced: Bool) -> MockStream {
        MockStream(totalBytes: oneGiB, chunkBytes: 64 << 10, announcesLength: announced)
    }
}

struct MockResponse {
    var status: Int
    var body: Data
    var contentType: String
    var headers: [String: String]

    init(
        status: Int, body: Data = Data(), contentType: String = "text/plain; charset=UTF-8",
        headers: [String: String] = [:]
    ) {
        self.status = status
        self.body = body
        self.contentType = contentType
        self.headers = headers
    }

    static func text(_ text: String, status: Int = 200) -> MockResponse {
        MockResponse(status: status, body: Data(text.utf8))
    }

    static let notFound = MockResponse.text("404 Not Found", status: 404)
}
