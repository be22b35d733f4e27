import Foundation

/// Vultr's metadata service: the whole instance in `GET /v1.json` (`vultr/v1.json` in the
/// fixture tree). cloud-init sends `Metadata-Token: cloudinit`; whether Vultr refuses a
/// request without it is not in the peers' code, so the mock does not require it.
struct VultrRoutes: Sendable {
    let fixtures: FixtureTree

    func handle(_ request: MockRequest) -> MockResponse {
        guard request.method == "GET", request.path == "/v1.json" else { return .notFound }
        return CloudRoutes.file(fixtures.cloudFile("vultr", "v1.json"), contentType: "application/json")
    }
}
