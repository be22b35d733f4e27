import Foundation

/// Decides every request. Faults first, in this order: hang, drop, headers-then-silence,
/// fail-first, redirect, oversize, oversize-unannounced, gzip-bomb; then CloudStack's password
/// server (a `DomU_Request` header), a public cloud's routes (`CloudRoutes`), NoCloud, nova or EC2.
/// A repeat-lines fault then lengthens a 200 answer, and a trickle fault slows the body of
/// whatever buffered answer that gave.
struct MockRouter: Sendable {
    let fixtures: FixtureTree
    let state: MockState
    /// Built once, at server start when the fault is configured.
    let gzipBomb = GzipBomb()

    func route(_ request: MockRequest) -> MockAction {
        let faults = state.faults
        let matches = { (pattern: String) in MockFaults.matches(pattern, method: request.method, path: request.path) }
        if faults.hang.contains(where: matches) { return .hang }
        if faults.drop.contains(where: matches) { return .drop }
        if faults.headersThenSilence.contains(where: matches) { return .headersThenSilence }
        var action = answer(request, faults: faults, matches: matches)
        if case .respond(let response) = action, response.status == 200,
            let lines = faults.repeatLines.first(where: { matches($0.key) })?.value
        {
            action = .respond(Self.repeating(response, toLines: lines))
        }
        if case .respond(let response) = action, faults.trickle.contains(where: matches) {
            return .trickle(response, intervalMilliseconds: faults.trickleIntervalMilliseconds)
        }
        return action
    }

    /// The answer before trickling: fail-first, the body faults, or the fixture tree.
    private func answer(_ request: MockRequest, faults: MockFaults, matches: (String) -> Bool) -> MockAction {
        if state.shouldFail(method: request.method, path: request.path) {
            var failure = MockResponse.text(
                "\(state.faults.failStatus) injected failure", status: state.faults.failStatus)
            if let seconds = state.faults.retryAfterSeconds { failure.headers["Retry-After"] = String(seconds) }
            return .respond(failure)
        }
        if let redirect = faults.redirect.first(where: { matches($0.pattern) }) {
            return .respond(MockResponse(status: faults.redirectStatus, headers: ["Location": redirect.location]))
        }
        if faults.oversize.contains(where: matches) { return .stream(.oversize(announced: true)) }
        if faults.oversizeUnannounced.contains(where: matches) { return .stream(.oversize(announced: false)) }
        if faults.gzipBomb.contains(where: matches) {
            do {
                return .respond(
                    MockResponse(status: 200, body: try gzipBomb.body(), headers: ["Content-Encoding": "gzip"]))
            } catch {
                return .respond(.text("500 \(error)", status: 500))
            }
        }
        if CloudStackPasswordRoutes.applies(to: request) {
            return .respond(CloudStackPasswordRoutes(state: state).handle(request))
        }
        if request.components.first == "nocloud" {
            return .respond(Self.noCloud(request, fixtures: fixtures))
        }
        if let cloud = CloudRoutes(fixtures: fixtures).handle(request) {
            return .respond(cloud)
        }
        if request.components.first == "openstack" {
            return .respond(NovaRoutes(fixtures: fixtures, state: state).handle(request))
        }
        return .respond(EC2Routes(fixtures: fixtures, state: state).handle(request))
    }

    /// A NoCloud seed over HTTP, as `ds=nocloud-net;s=http://HOST:PORT/nocloud/` reads it:
    /// the fixture tree's `nocloud/` files (`meta-data`, `user-data`, `vendor-data`,
    /// `network-config`), 404 for anything else.
    static func noCloud(_ request: MockRequest, fixtures: FixtureTree) -> MockResponse {
        let parts = request.components
        guard request.method == "GET", parts.count == 2, let data = fixtures.noCloudFile(parts[1]) else {
            return .notFound
        }
        return MockResponse(status: 200, body: data)
    }

    /// `response` with its body's lines repeated in turn until there are `count` of them.
    static func repeating(_ response: MockResponse, toLines count: Int) -> MockResponse {
        let lines = response.body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        guard !lines.isEmpty, count > 0 else { return response }
        var body = Data()
        for index in 0..<count {
            body.append(contentsOf: lines[index % lines.count])
            body.append(UInt8(ascii: "\n"))
        }
        var repeated = response
        repeated.body = body
        return repeated
    }
}
