import Foundation

/// Scaleway's metadata service (169.254.42.42): `GET /conf?format=json` (`scaleway/conf.json`),
/// `GET /user_data/cloud-init` and `/vendor_data/cloud-init` (`scaleway/user_data`,
/// `scaleway/vendor_data`; 404 when absent, as cloud-init reads "no user data"), which answer
/// 403 to a client whose source port is 1024 or above (the service's rule, cloud-init's
/// `query_data_api`; the status is the mock's choice), and `PATCH /state`, which accepts only
/// `{"state_detail": "booted"}` (afterburn's check-in) and answers 400 to anything else.
struct ScalewayRoutes: Sendable {
    let fixtures: FixtureTree

    func handle(_ request: MockRequest) -> MockResponse {
        switch (request.method, request.path) {
        case ("GET", "/conf"):
            return CloudRoutes.file(fixtures.cloudFile("scaleway", "conf.json"), contentType: "application/json")
        case ("GET", "/user_data/cloud-init"), ("GET", "/vendor_data/cloud-init"):
            guard let port = request.remotePort, port < 1024 else {
                return MockResponse(status: 403, body: Data("source port must be below 1024\n".utf8))
            }
            let name = request.path.hasPrefix("/user_data") ? "user_data" : "vendor_data"
            return CloudRoutes.file(fixtures.cloudFile("scaleway", name))
        case ("PATCH", "/state"):
            let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
            guard object?["state_detail"] as? String == "booted" else {
                return MockResponse(status: 400, body: Data("expected {\"state_detail\": \"booted\"}\n".utf8))
            }
            return MockResponse(status: 200, body: Data("{}".utf8), contentType: "application/json")
        default:
            return .notFound
        }
    }
}
