import DataSources
import Foundation
import TestSupport
import Testing

/// `HTTPRequestSpec.reservedSourcePort` over the agent's plain-socket transport, against the
/// mock's Scaleway user data route, which answers 403 to a source port of 1024 or above.
@Suite struct ReservedSourcePortTests {
    static func userData(reserved: Bool) async throws -> Int {
        let work = try TemporaryDirectory(prefix: "guest-agent-reserved-port")
        let fixtures = BuiltProducts.repository.appendingPathComponent("fixtures/clouds").path
        let server = try await MockServerProcess(fixtures: fixtures, logDirectory: work.path)
        defer { server.stop() }
        let request = HTTPRequestSpec(url: server.url(for: "user_data/cloud-init"), reservedSourcePort: reserved)
        return try await SocketTransport().send(
            request, limits: TransferLimits(idleTimeout: 10, totalTimeout: 20, maxBytes: 1 << 20)
        ).status
    }

    @Test(.enabled(if: Program.isRoot, "binding a port below 1024 needs root"))
    func aReservedSourcePortIsServed() async throws {
        #expect(try await Self.userData(reserved: true) == 200)
        // Twice in a row: the first port may still be in TIME_WAIT, and is then skipped.
        #expect(try await Self.userData(reserved: true) == 200)
    }

    @Test func anOrdinarySourcePortIsRefused() async throws {
        #expect(try await Self.userData(reserved: false) == 403)
    }

    @Test(.enabled(if: !Program.isRoot, "as root the bind succeeds"))
    func withoutRootTheBindFailsWithANamedError() async throws {
        await #expect(throws: DataSourceError.self) { _ = try await Self.userData(reserved: true) }
    }
}
