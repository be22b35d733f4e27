import Foundation

/// SlapOS KVM's web server at `http://10.0.2.100/`: the partition's public files at the root
/// (`slapos/<name>` in the fixture tree), 404 for a name it does not have.
struct SlapOSRoutes: Sendable {
    let fixtures: FixtureTree

    /// The names SlapOS's `software/kvm` writes into `srv/public` (docs/PROTOCOLS.md, SlapOS).
    static let names: Set<String> = [
        "authorized_keys", "authorized_key", "hostname", "data", "vm-bootstrap", "ipv4", "gateway", "netmask",
        "network",
    ]

    static func applies(to request: MockRequest) -> Bool {
        request.components.count == 1 && names.contains(request.components[0])
    }

    func handle(_ request: MockRequest) -> MockResponse {
        guard request.method == "GET" else { return .notFound }
        return CloudRoutes.file(fixtures.cloudFile("slapos", request.components[0]))
    }
}
