import Foundation

/// Hetzner Cloud's metadata service under `/hetzner/v1/`: `metadata` (YAML),
/// `metadata/private-networks` (YAML), and `userdata`, which is 204 No Content when the
/// server has none, as cloud-init's Hetzner helper expects. Files: `hetzner/metadata`,
/// `hetzner/private-networks`, `hetzner/userdata`.
struct HetznerRoutes: Sendable {
    let fixtures: FixtureTree

    func handle(_ request: MockRequest) -> MockResponse {
        guard request.method == "GET" else { return .notFound }
        switch request.path {
        case "/hetzner/v1/metadata": return CloudRoutes.file(fixtures.cloudFile("hetzner", "metadata"))
        case "/hetzner/v1/metadata/private-networks":
            return CloudRoutes.file(fixtures.cloudFile("hetzner", "private-networks"))
        case "/hetzner/v1/userdata":
            guard let data = fixtures.cloudFile("hetzner", "userdata") else {
                return MockResponse(status: 204, body: Data())
            }
            return MockResponse(status: 200, body: data)
        default: return .notFound
        }
    }
}
