import Foundation

/// The EC2 instance metadata tree (docs/PROTOCOLS.md §3.2-§3.3), built from the
/// fixture's nested meta-data.json, with IMDSv2 session tokens.
struct EC2Routes {
    let fixtures: FixtureTree
    let state: MockState
    static let tokenHeader = "x-aws-ec2-metadata-token"
    static let ttlHeader = "x-aws-ec2-metadata-token-ttl-seconds"

    func handle(_ request: MockRequest) -> MockResponse {
        if request.path == "/latest/api/token" { return token(request) }
        guard request.method == "GET" || request.method == "HEAD" else {
            return .text("405 Method Not Allowed", status: 405)
        }
        if let denied = authorize(request) { return denied }
        let parts = request.components
        guard let version = parts.first else { return .text("2009-04-04\nlatest") }
        guard version == "latest" || version.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil
        else {
            return .notFound
        }
        switch parts.dropFirst().first {
        case nil:
            var entries = ["meta-data/"]
            if fixtures.ec2File(version: version, name: "user-data") != nil { entries.append("user-data") }
            if fixtures.ec2File(version: version, name: "dynamic/instance-identity/document") != nil {
                entries.append("dynamic/")
            }
            return .text(entries.joined(separator: "\n"))
        case "user-data" where parts.count == 2:
            return fixtures.ec2File(version: version, name: "user-data").map { MockResponse(status: 200, body: $0) }
                ?? .notFound
        case "dynamic":
            let name = parts.dropFirst().joined(separator: "/")
            return fixtures.ec2File(version: version, name: name).map { MockResponse(status: 200, body: $0) }
                ?? .notFound
        case "meta-data":
            guard let tree = fixtures.ec2MetaData(version: version) else { return .notFound }
            return metaData(tree, path: Array(parts.dropFirst(2)))
        default:
            return .notFound
        }
    }

    /// `PUT /latest/api/token`: TTL 1...21600 or 400; IMDSv1-only services answer 404.
    private func token(_ request: MockRequest) -> MockResponse {
        guard request.method == "PUT" else { return .text("405 Method Not Allowed", status: 405) }
        if state.imdsv2 == .disabled { return .notFound }
        if request.header("x-forwarded-for") != nil { return .text("403 Forbidden", status: 403) }
        guard let ttl = request.header(Self.ttlHeader).flatMap(Int.init), (1...21600).contains(ttl) else {
            return .text("400 Bad Request", status: 400)
        }
        return MockResponse(
            status: 200, body: Data(state.issueToken(ttl: ttl).utf8), headers: [Self.ttlHeader: String(ttl)])
    }

    private func authorize(_ request: MockRequest) -> MockResponse? {
        let mode = state.imdsv2
        guard mode != .disabled else { return nil }
        if let token = request.header(Self.tokenHeader) {
            return state.isValid(token: token) ? nil : .text("401 Unauthorized", status: 401)
        }
        return mode == .required ? .text("401 Unauthorized", status: 401) : nil
    }

    /// Walks the nested dictionary: dictionaries list their keys (sub-dictionaries with a
    /// trailing `/`), `public-keys` lists `index=name`, leaves are text.
    private func metaData(_ tree: [String: Any], path: [String]) -> MockResponse {
        var node: Any = tree
        for (depth, key) in path.enumerated() {
            guard let dictionary = node as? [String: Any], let next = dictionary[key] else { return .notFound }
            if depth == 0 && key == "public-keys" && path.count == 1, let keys = next as? [String: Any] {
                return .text(publicKeyListing(keys))
            }
            node = next
        }
        if let dictionary = node as? [String: Any] {
            return .text(
                dictionary.keys.filter { $0 != "_name" }.sorted().map {
                    dictionary[$0] is [String: Any] ? $0 + "/" : $0
                }
                .joined(separator: "\n"))
        }
        if let array = node as? [Any] { return .text(array.map(Self.leafText).joined(separator: "\n")) }
        return .text(Self.leafText(node))
    }

    private func publicKeyListing(_ keys: [String: Any]) -> String {
        keys.keys.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }.map { index in
            ((keys[index] as? [String: Any])?["_name"] as? String) ?? "\(index)=\(index)"
        }.joined(separator: "\n")
    }

    static func leafText(_ value: Any) -> String {
        if let string = value as? String { return string }
        if let number = value as? NSNumber { return number.stringValue }
        return "\(value)"
    }
}
