import Foundation

/// Akamai's (Linode's) metadata service under `/v1/`: `PUT /v1/token` with
/// `Metadata-Token-Expiry-Seconds` gives a token (400 without the header); `GET
/// /v1/instance`, `/v1/ssh-keys`, `/v1/user-data` and `/v1/network` need it in
/// `Metadata-Token` (401 otherwise). Files: `akamai/instance.json`, `akamai/ssh-keys.json`,
/// `akamai/user-data` (base64, as Akamai serves it), `akamai/network.json`. The token is
/// one fixed string: the mock checks that the client sends what it was given, not expiry.
struct AkamaiRoutes: Sendable {
    let fixtures: FixtureTree
    static let token = "mock-akamai-token-5f0c"

    func handle(_ request: MockRequest) -> MockResponse {
        let parts = request.components
        guard parts.count == 2 else { return .notFound }
        if parts[1] == "token" {
            guard request.method == "PUT" else { return .text("405 Method Not Allowed", status: 405) }
            guard let seconds = request.header("Metadata-Token-Expiry-Seconds").flatMap({ Int($0) }), seconds > 0
            else { return .text("400 Bad Request: Metadata-Token-Expiry-Seconds", status: 400) }
            return .text(Self.token)
        }
        guard request.method == "GET" else { return .text("405 Method Not Allowed", status: 405) }
        guard request.header("Metadata-Token") == Self.token else { return .text("401 Unauthorized", status: 401) }
        switch parts[1] {
        case "instance":
            return CloudRoutes.file(fixtures.cloudFile("akamai", "instance.json"), contentType: "application/json")
        case "ssh-keys":
            return CloudRoutes.file(fixtures.cloudFile("akamai", "ssh-keys.json"), contentType: "application/json")
        case "network":
            return CloudRoutes.file(fixtures.cloudFile("akamai", "network.json"), contentType: "application/json")
        case "user-data": return CloudRoutes.file(fixtures.cloudFile("akamai", "user-data"))
        default: return .notFound
        }
    }
}
