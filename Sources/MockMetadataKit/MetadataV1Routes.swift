import Foundation

/// `GET /metadata/v1.json`, the one document of DigitalOcean's metadata service and of
/// UpCloud's (the same path on both; no header required): the fixture tree's
/// `digitalocean/v1.json`, else its `upcloud/v1.json`. A test of UpCloud serves a tree
/// without `digitalocean/`.
struct MetadataV1Routes: Sendable {
    let fixtures: FixtureTree

    func handle(_ request: MockRequest) -> MockResponse {
        guard request.method == "GET", request.path == "/metadata/v1.json" else { return .notFound }
        let document = fixtures.cloudFile("digitalocean", "v1.json") ?? fixtures.cloudFile("upcloud", "v1.json")
        return CloudRoutes.file(document, contentType: "application/json")
    }
}
