import Foundation

/// Azure's two services, both answered by the one mock (the end-to-end test gives its
/// namespace both addresses):
/// - IMDS (169.254.169.254): `GET /metadata/instance?api-version=...` serves
///   `azure/instance.json`; without `Metadata: true` it answers 400 with IMDS's own message,
///   and 400 without an `api-version` too, as IMDS does.
/// - The WireServer (168.63.129.16): `GET /machine/?comp=goalstate` serves
///   `azure/goalstate.xml` and `POST /machine?comp=health` accepts a health report; both want
///   `x-ms-version: 2012-11-30` (400 without it), and the report must be `text/xml` holding
///   `<State>Ready</State>` and the goal state's `Incarnation`, `ContainerId` and `InstanceId`
///   (400 otherwise). An accepted report is recorded in the request log (`healthReport`).
struct AzureRoutes: Sendable {
    let fixtures: FixtureTree

    static let wireServerVersion = "2012-11-30"

    func handle(_ request: MockRequest) -> MockResponse {
        switch (request.method, request.components) {
        case ("GET", ["metadata", "instance"]):
            guard request.header("Metadata") == "true" else {
                return Self.json(400, #"{"error": "Bad request. Required metadata header not specified"}"#)
            }
            guard request.queryValue("api-version") != nil else {
                return Self.json(400, #"{"error": "Bad request. api-version was not specified in the request"}"#)
            }
            return CloudRoutes.file(fixtures.cloudFile("azure", "instance.json"), contentType: "application/json")
        case ("GET", ["machine"]) where request.queryValue("comp") == "goalstate":
            guard request.header("x-ms-version") == Self.wireServerVersion else { return Self.missingVersion }
            return CloudRoutes.file(fixtures.cloudFile("azure", "goalstate.xml"), contentType: "text/xml")
        case ("POST", ["machine"]) where request.queryValue("comp") == "health":
            guard request.header("x-ms-version") == Self.wireServerVersion else { return Self.missingVersion }
            if let problem = problem(with: request) {
                return MockResponse(status: 400, body: Data("\(problem)\n".utf8))
            }
            return MockResponse(status: 200, body: Data())
        default:
            return .notFound
        }
    }

    /// What is wrong with a health report, nil when it reports Ready for the served goal state.
    func problem(with request: MockRequest) -> String? {
        guard request.header("Content-Type")?.hasPrefix("text/xml") == true else {
            return "Content-Type is not text/xml"
        }
        let report = String(decoding: request.body, as: UTF8.self)
        guard report.contains("<State>Ready</State>") else { return "the report does not say Ready" }
        guard let goalState = fixtures.cloudFile("azure", "goalstate.xml").map({ String(decoding: $0, as: UTF8.self) })
        else { return "the mock has no goal state" }
        for (element, reported) in [
            ("Incarnation", "GoalStateIncarnation"), ("ContainerId", "ContainerId"), ("InstanceId", "InstanceId"),
        ] {
            guard let value = Self.text(of: element, in: goalState),
                report.contains("<\(reported)>\(value)</\(reported)>")
            else { return "the report's \(reported) is not the goal state's" }
        }
        return nil
    }

    /// The body of a health report answered 200, for the request log.
    static func recordedHealthReport(_ request: MockRequest, status: Int) -> String? {
        guard status == 200, request.method == "POST", request.components == ["machine"],
            request.queryValue("comp") == "health"
        else { return nil }
        return String(decoding: request.body, as: UTF8.self)
    }

    /// The text of the first `<element>` in `document` (the fixture's, trusted).
    static func text(of element: String, in document: String) -> String? {
        guard let start = document.range(of: "<\(element)>"),
            let end = document.range(of: "</\(element)>", range: start.upperBound..<document.endIndex)
        else { return nil }
        return String(document[start.upperBound..<end.lowerBound])
    }

    static let missingVersion = MockResponse(status: 400, body: Data("x-ms-version 2012-11-30 is required\n".utf8))

    static func json(_ status: Int, _ text: String) -> MockResponse {
        MockResponse(status: status, body: Data(text.utf8), contentType: "application/json")
    }
}
