import Foundation

/// nova's `/openstack` tree (docs/PROTOCOLS.md §1.1-§1.3, §1.8).
struct NovaRoutes {
    let fixtures: FixtureTree
    let state: MockState

    /// Which file names a version lists, in nova's order, with the version that adds each.
    static let files: [(name: String, since: String)] = [
        ("meta_data.json", "2012-08-10"), ("user_data", "2012-08-10"), ("password", "2013-04-04"),
        ("vendor_data.json", "2013-10-17"), ("network_data.json", "2015-10-15"), ("vendor_data2.json", "2016-10-06"),
    ]

    func handle(_ request: MockRequest) -> MockResponse {
        let parts = Array(request.components.dropFirst())
        let versions = fixtures.openStackVersions
        switch parts.count {
        case 0:
            return .text((versions + ["latest"]).joined(separator: "\n"))
        case 2 where parts[0] == "content":
            return fixtures.content(parts[1]).map { MockResponse(status: 200, body: $0) } ?? .notFound
        default:
            break
        }
        let version = parts[0]
        guard version == "latest" || versions.contains(version) else { return .notFound }
        let effective = version == "latest" ? (versions.last ?? "latest") : version
        let allowed = Self.files.filter { effective == "latest" || effective >= $0.since }.map(\.name)
        if parts.count == 1 {
            let present = allowed.filter {
                $0 == "password" || fixtures.openStackFile(version: version, name: $0) != nil
            }
            return .text(present.joined(separator: "\n"))
        }
        guard parts.count == 2, allowed.contains(parts[1]) else { return .notFound }
        if parts[1] == "password" { return password(request) }
        guard let data = fixtures.openStackFile(version: version, name: parts[1]) else { return .notFound }
        // nova labels only meta_data.json and vendor data as JSON; network_data.json is text/plain.
        let json = parts[1] == "meta_data.json" || parts[1].hasPrefix("vendor_data")
        return MockResponse(
            status: 200, body: data, contentType: json ? "application/json" : "text/plain; charset=UTF-8")
    }

    /// GET: stored value or empty; POST once: 409 when set (checked first), 400 above 1020
    /// bytes; other methods 400.
    private func password(_ request: MockRequest) -> MockResponse {
        switch request.method {
        case "GET":
            return .text(state.password ?? "")
        case "POST":
            // Nova checks for a stored value first (docs/PROTOCOLS.md §1.8); an empty one is none.
            if let stored = state.password, !stored.isEmpty { return .text("409 Conflict", status: 409) }
            let declared = request.header("content-length").flatMap(Int.init) ?? request.body.count
            guard declared <= 1020, request.body.count <= 1020 else {
                return .text("Request is too large.", status: 400)
            }
            guard let text = String(data: request.body, encoding: .utf8) else {
                return .text("500 Internal Server Error", status: 500)
            }
            return state.storePasswordIfEmpty(text) ? .text("") : .text("409 Conflict", status: 409)
        default:
            return .text("GET and POST only", status: 400)
        }
    }
}
