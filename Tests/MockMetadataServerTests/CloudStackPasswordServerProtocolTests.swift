import Foundation
import TestSupport
import Testing

/// The mock's CloudStack password server checked with curl, an independent client, against
/// the behaviour of CloudStack's `passwd_server_ip.py` (docs/PROTOCOLS.md §8.3), and the
/// metadata tree of `fixtures/cloudstack` as a CloudStack router serves it.
@Suite struct CloudStackPasswordServerProtocolTests {
    static let fixtures = BuiltProducts.repository.appendingPathComponent("fixtures/cloudstack").path

    @Test func passwordUntilAcknowledgedThenSavedPasswordAndBadRequestForTheRest() async throws {
        let work = try TemporaryDirectory()
        let server = try await MockServerProcess(
            fixtures: Self.fixtures, arguments: ["--cloudstack-password", "Cs-1"], logDirectory: work.path)
        let root = server.baseURL.absoluteString + "/"
        let ask = "DomU_Request: send_my_password"
        #expect(try await Curl.request(root, headers: [ask]).body == "Cs-1")
        #expect(try await Curl.request(root, headers: [ask]).body == "Cs-1")
        let acknowledged = try await Curl.request(root, headers: ["DomU_Request: saved_password"])
        #expect(acknowledged.status == 200 && acknowledged.body == "saved_password")
        #expect(try await Curl.request(root, headers: [ask]).body == "saved_password")
        let bad = try await Curl.request(root, headers: ["DomU_Request: something_else"])
        #expect(bad.status == 400 && bad.body == "bad_request")
        let logged = server.loggedRequests().compactMap { $0["domuRequest"] as? String }
        #expect(
            logged == ["send_my_password", "send_my_password", "saved_password", "send_my_password", "something_else"])
    }

    @Test func theRoutersMetadataTree() async throws {
        let work = try TemporaryDirectory()
        let server = try await MockServerProcess(fixtures: Self.fixtures, logDirectory: work.path)
        let base = server.baseURL.absoluteString
        #expect(try await Curl.request(base + "/latest/meta-data/instance-id").body == "i-2-34-VM")
        let keys = try await Curl.request(base + "/latest/meta-data/public-keys")
        #expect(keys.lines.count == 2 && keys.lines.allSatisfy { $0.hasPrefix("ssh-") })
        #expect(try await Curl.request(base + "/latest/user-data").body.hasPrefix("#cloud-config"))
        // Without the header the root is the metadata server's, not the password server's.
        #expect(try await Curl.request(base + "/").body != "saved_password")
    }
}
