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

    /// Folds the raw URI path the way nova does.
    static func normalize(_ uri: String) -> (path: String, trailingSlash: Bool) {
        let rawPath = String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        var parts: [Substring] = []
        for part in rawPath.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return ("/" + parts.joined(separator: "/"), rawPath.count > 1 && rawPath.hasSuffix("/"))
    }

    var components: [String] { path.split(separator: "/").map(String.init) }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What the router decided.
enum MockAction {
    case respond(MockResponse)
    case hang
    case drop
}

struct MockResponse {
    var status: Int
    var body: Data
    var contentType: String
    var headers: [String: String]

    init(status: Int, body: Data = Data(), contentType: String = "text/plain; charset=UTF-8", headers: [String: String] = [:]) {
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
