import Foundation

/// The public clouds' metadata services, each at its own paths, served from the fixture
/// tree's per-platform directory. A path no platform claims returns nil: nova and EC2
/// answer it.
struct CloudRoutes: Sendable {
    let fixtures: FixtureTree

    func handle(_ request: MockRequest) -> MockResponse? {
        if SlapOSRoutes.applies(to: request) { return SlapOSRoutes(fixtures: fixtures).handle(request) }
        return switch request.components.first {
        case "metadata" where request.components.dropFirst().first == "instance":
            AzureRoutes(fixtures: fixtures).handle(request)
        case "metadata": MetadataV1Routes(fixtures: fixtures).handle(request)
        case "machine": AzureRoutes(fixtures: fixtures).handle(request)
        case "hetzner": HetznerRoutes(fixtures: fixtures).handle(request)
        case "opc": OracleRoutes(fixtures: fixtures).handle(request)
        case "computeMetadata": GCERoutes(fixtures: fixtures).handle(request)
        case "v1.json": VultrRoutes(fixtures: fixtures).handle(request)
        case "v1": AkamaiRoutes(fixtures: fixtures).handle(request)
        case "conf", "user_data", "vendor_data", "state": ScalewayRoutes(fixtures: fixtures).handle(request)
        default: nil
        }
    }

    /// A fixture file as a 200, or 404 when the fixture tree has none.
    static func file(_ data: Data?, contentType: String = "text/plain") -> MockResponse {
        guard let data else { return .notFound }
        return MockResponse(status: 200, body: data, contentType: contentType)
    }
}
