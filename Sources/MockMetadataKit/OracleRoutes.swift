import Foundation

/// Oracle Cloud's IMDS v2: `GET /opc/v2/instance` and `GET /opc/v2/vnics` (with or without
/// the trailing slash, `oracle/instance.json` and `oracle/vnics.json` in the fixture tree), refused with 401 unless the request carries
/// `Authorization: Bearer Oracle` (the header cloud-init and afterburn send; the status is
/// this mock's choice: the peers' code does not show what OCI answers without it).
struct OracleRoutes: Sendable {
    let fixtures: FixtureTree

    func handle(_ request: MockRequest) -> MockResponse {
        guard request.method == "GET", request.path.hasPrefix("/opc/v2/") else { return .notFound }
        guard request.header("Authorization") == "Bearer Oracle" else {
            return .text("401 Unauthorized: the Authorization header must be 'Bearer Oracle'", status: 401)
        }
        switch request.path {
        case "/opc/v2/instance":
            return CloudRoutes.file(fixtures.cloudFile("oracle", "instance.json"), contentType: "application/json")
        case "/opc/v2/vnics":
            return CloudRoutes.file(fixtures.cloudFile("oracle", "vnics.json"), contentType: "application/json")
        default:
            return .notFound
        }
    }
}
