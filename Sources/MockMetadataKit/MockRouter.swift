import Foundation

/// Decides every request: faults first (hang, drop, fail-first), then nova or EC2.
struct MockRouter: Sendable {
    let fixtures: FixtureTree
    let state: MockState

    func route(_ request: MockRequest) -> MockAction {
        let faults = state.faults
        if faults.hang.contains(where: { MockFaults.matches($0, request.path) }) { return .hang }
        if faults.drop.contains(where: { MockFaults.matches($0, request.path) }) { return .drop }
        if state.shouldFail(request.path) { return .respond(.text("500 Internal Server Error", status: 500)) }
        if request.components.first == "openstack" {
            return .respond(NovaRoutes(fixtures: fixtures, state: state).handle(request))
        }
        return .respond(EC2Routes(fixtures: fixtures, state: state).handle(request))
    }
}
