@testable import DataSources
import Foundation
import Testing
import TestSupport

/// The URLSession transport against the real mock server binary, including the watchdog
/// that ends a request Foundation has lost.
@Suite struct URLSessionTransportTests {
    @Test(.timeLimit(.minutes(1))) func aLostTaskEndsAsATimeoutInsteadOfHangingForever() async throws {
        // Never resumed: nothing is sent, URLSession will never call back.
        let request = HTTPRequestSpec(url: URL(string: "http://127.0.0.1:9/never-sent")!)
        await #expect(throws: DataSourceError.timedOut(url: "http://127.0.0.1:9/never-sent", seconds: 1)) {
            try await URLSessionTransport().send(request, timeout: 1, maxBytes: 1024, startingTask: false)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aHangingServerTimesOutAndAWorkingOneAnswers() async throws {
        let work = try TemporaryDirectory()
        let server = try MockServerProcess(fixtures: BuiltProducts.defaultFixtures,
                                           arguments: ["--hang", "/openstack/latest/user_data"], logDirectory: work.path)
        let base = server.baseURL.absoluteString
        await #expect(throws: DataSourceError.timedOut(url: base + "/openstack/latest/user_data", seconds: 1)) {
            try await URLSessionTransport().send(HTTPRequestSpec(url: URL(string: base + "/openstack/latest/user_data")!),
                                                 timeout: 1, maxBytes: 1024)
        }
        let reply = try await URLSessionTransport().send(HTTPRequestSpec(url: URL(string: base + "/openstack")!),
                                                         timeout: 1, maxBytes: 4096)
        #expect(reply.status == 200 && String(decoding: reply.body, as: UTF8.self).contains("latest"))
    }
}
