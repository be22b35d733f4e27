import Foundation

/// Google's metadata server under `/computeMetadata/v1/`: every request without
/// `Metadata-Flavor: Google` is refused with 403, as Google refuses it; every answer carries
/// `Metadata-Flavor: Google`. From the fixture tree's `gce/`: `instance/id`, `instance/zone`,
/// `instance/hostname` as files, and `instance-attributes.json` / `project-attributes.json`,
/// served whole for `instance/attributes/` (the `?recursive=true` form) and one value at a
/// time for `instance/attributes/<key>`.
struct GCERoutes: Sendable {
    let fixtures: FixtureTree

    func handle(_ request: MockRequest) -> MockResponse {
        var response = answer(request)
        response.headers["Metadata-Flavor"] = "Google"
        return response
    }

    private func answer(_ request: MockRequest) -> MockResponse {
        guard request.header("Metadata-Flavor") == "Google" else {
            return .text("403 Forbidden: missing Metadata-Flavor: Google header", status: 403)
        }
        let parts = request.components
        guard request.method == "GET", parts.count >= 4, parts[1] == "v1" else { return .notFound }
        let level = parts[2]
        if parts[3] == "attributes", level == "instance" || level == "project" {
            let whole = fixtures.cloudFile("gce", "\(level)-attributes.json")
            if parts.count == 4 { return CloudRoutes.file(whole ?? Data("{}".utf8), contentType: "application/json") }
            guard parts.count == 5, let whole,
                let object = try? JSONSerialization.jsonObject(with: whole) as? [String: Any],
                let value = object[parts[4]] as? String
            else { return .notFound }
            return .text(value)
        }
        guard level == "instance", parts.count == 4 else { return .notFound }
        return CloudRoutes.file(fixtures.cloudFile("gce", "instance/\(parts[3])"))
    }
}
