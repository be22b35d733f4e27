import Foundation

/// Decides every request: faults first (hang, drop, fail-first), then nova or EC2.
struct MockRouter: Sendable {
    let fixtures: FixtureTree
    let state: MockState

    func route(_ request: MockRequest) -> MockAction {
        let faults = state.faults
        let matches = { (pattern: String) in MockFaults.matches(pattern, method: request.method, path: request.path) }
        if faults.hang.contains(where: matches) { return .hang }
        if faults.drop.contains(where: matches) { return .drop }
        if state.shouldFail(method: request.method, path: request.path) { return .respond(.text("500 Internal Server Error", status: 500)) }
        if request.components.first == "openstack" {
            return .respond(NovaRoutes(fixtures: fixtures, state: state).handle(request))
        }
        return .respond(EC2Routes(fixtures: fixtures, state: state).handle(request))
    }
}
