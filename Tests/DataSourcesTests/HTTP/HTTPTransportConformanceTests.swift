import Foundation
import TestSupport
import Testing

@testable import DataSources

/// The `HTTPTransport` contract (see the protocol's doc comment), checked against the
/// built mock server on loopback. Every transport the agent could ship must pass it:
/// add it to `transports`.
@Suite(.serialized, .ownThread(.timesDeadlines)) struct HTTPTransportConformanceTests {
    static let transports: [any HTTPTransport] = [SocketTransport(), CurlTransport()]

    static func limits(idle: Double = 2, total: Double = 10, maxBytes: Int = 1 << 20) -> TransferLimits {
        TransferLimits(idleTimeout: idle, totalTimeout: total, maxBytes: maxBytes)
    }

    static func server(_ arguments: [String] = [], _ work: TemporaryDirectory) async throws -> MockServerProcess {
        try await MockServerProcess(
            fixtures: BuiltProducts.defaultFixtures, arguments: arguments, logDirectory: work.path)
    }

    @Test(arguments: transports) func getReturnsStatusBodyAndLowerCaseHeaders(transport: any HTTPTransport) async throws
    {
        let work = try TemporaryDirectory()
        let server = try await Self.server([], work)
        let reply = try await transport.send(
            HTTPRequestSpec(url: server.url(for: "openstack/latest/meta_data.json")), limits: Self.limits())
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "application/json")
        #expect(try JSONSerialization.jsonObject(with: reply.body) is [String: Any])
        let missing = try await transport.send(
            HTTPRequestSpec(url: server.url(for: "openstack/latest/nothing")), limits: Self.limits())
        #expect(missing.status == 404)
    }

    @Test(arguments: transports) func aPostCarriesItsBodyWithContentLength(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server([], work)
        let url = server.url(for: "openstack/latest/password")
        let post = HTTPRequestSpec(
            method: "POST", url: url, headers: ["Content-Type": "text/plain"], body: Data("c2VjcmV0".utf8))
        #expect(try await transport.send(post, limits: Self.limits()).status == 200)
        let stored = try await transport.send(HTTPRequestSpec(url: url), limits: Self.limits())
        #expect(String(decoding: stored.body, as: UTF8.self) == "c2VjcmV0")
        #expect(server.loggedRequests().contains { $0["method"] as? String == "POST" && $0["bodyBytes"] as? Int == 8 })
    }

    @Test(arguments: transports) func aBodilessPutGetsAnIMDSv2Token(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server(["--imdsv2", "required"], work)
        let put = HTTPRequestSpec(
            method: "PUT", url: server.url(for: "latest/api/token"),
            headers: ["X-aws-ec2-metadata-token-ttl-seconds": "60"])
        let token = try await transport.send(put, limits: Self.limits())
        #expect(token.status == 200 && !token.body.isEmpty)
        #expect(token.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "60")
        let id = HTTPRequestSpec(
            url: server.url(for: "latest/meta-data/instance-id"),
            headers: ["X-aws-ec2-metadata-token": String(decoding: token.body, as: UTF8.self)])
        #expect(try await transport.send(id, limits: Self.limits()).status == 200)
    }

    @Test(arguments: transports) func aHungServerIsAnIdleTimeout(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server(["--hang", "/openstack/latest/user_data"], work)
        let url = server.url(for: "openstack/latest/user_data")
        await #expect(throws: DataSourceError.timedOut(url: url.absoluteString, seconds: 1)) {
            try await transport.send(HTTPRequestSpec(url: url), limits: Self.limits(idle: 1))
        }
    }

    @Test(arguments: transports) func aBodyOverTheCapIsRefused(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server([], work)
        let url = server.url(for: "openstack/latest/meta_data.json")
        await #expect(throws: DataSourceError.documentTooLarge(location: url.absoluteString, limit: 16)) {
            try await transport.send(HTTPRequestSpec(url: url), limits: Self.limits(maxBytes: 16))
        }
    }

    @Test(arguments: transports) func proxyVariablesAreIgnored(transport: any HTTPTransport) async throws {
        // In a process of its own (an exit test): the variables are the whole process's, and
        // every program the other tests start meanwhile (curl among them) would inherit them.
        let index = Self.index(of: transport)
        await #expect(processExitsWith: .success) { [index = index as Int] in
            let transport = HTTPTransportConformanceTests.transports[index]
            let work = try TemporaryDirectory()
            let server = try await HTTPTransportConformanceTests.server([], work)
            // A proxy that does not exist: a transport that used it would fail to connect.
            for name in ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"] {
                setenv(name, "http://127.0.0.1:9", 1)
            }
            let reply = try await transport.send(
                HTTPRequestSpec(url: server.url(for: "openstack")), limits: HTTPTransportConformanceTests.limits())
            #expect(reply.status == 200)
        }
    }

    @Test(arguments: transports) func anIPv6LiteralIsReached(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        // EC2's IPv6 endpoint is a literal ([fd00:ec2::254]); loopback stands in for it.
        let server = try await MockServerProcess(
            fixtures: BuiltProducts.defaultFixtures, bind: "::1", logDirectory: work.path)
        #expect(server.baseURL.absoluteString.hasPrefix("http://[::1]:"))
        let reply = try await transport.send(
            HTTPRequestSpec(url: server.url(for: "openstack/latest/meta_data.json")), limits: Self.limits())
        #expect(reply.status == 200)
    }

    @Test(arguments: transports) func aRefusedConnectionNamesTheURL(transport: any HTTPTransport) async throws {
        let url = URL(string: "http://127.0.0.1:9/openstack")!
        do {
            _ = try await transport.send(HTTPRequestSpec(url: url), limits: Self.limits())
            Issue.record("port 9 answered")
        } catch let error as DataSourceError {
            guard case .transport(let where_, _) = error else {
                Issue.record("not a transport error: \(error)")
                return
            }
            #expect(where_ == url.absoluteString)
        }
    }

    @Test(arguments: transports) func cancellationEndsTheRequestAtOnce(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server(["--hang", "/openstack"], work)
        let url = server.url(for: "openstack")
        let started = ContinuousClock.now
        let task = Task {
            try await transport.send(HTTPRequestSpec(url: url), limits: Self.limits(idle: 60, total: 60))
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        // Far below the 60 s limits: only cancellation can have ended it.
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test(arguments: transports) func waitingOnAHungServerDoesNotSpin(transport: any HTTPTransport) async throws {
        // In a process of its own (an exit test): the measure is the process's CPU time, which
        // in the test process would count every test running beside this one.
        let index = Self.index(of: transport)
        await #expect(processExitsWith: .success) { [index = index as Int] in
            let transport = HTTPTransportConformanceTests.transports[index]
            let work = try TemporaryDirectory()
            let server = try await HTTPTransportConformanceTests.server(["--hang", "/openstack"], work)
            let before = HTTPTransportConformanceTests.processCPUSeconds()
            await #expect(throws: DataSourceError.self) {
                try await transport.send(
                    HTTPRequestSpec(url: server.url(for: "openstack")),
                    limits: HTTPTransportConformanceTests.limits(idle: 3))
            }
            let used = HTTPTransportConformanceTests.processCPUSeconds() - before
            // A busy-waiting client burns most of a core for the 3 s; a sleeping one almost nothing.
            #expect(used < 0.6, "the test process used \(used) s of CPU while waiting 3 s")
        }
    }

    @Test(arguments: transports) func aTricklingServerPassesTheTotalLimit(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server(["--trickle", "/openstack", "--trickle-interval-ms", "200"], work)
        let url = server.url(for: "openstack")
        // A byte every 200 ms never trips the 1 s idle limit; only the 2 s total can end it.
        await #expect(throws: DataSourceError.tooSlow(url: url.absoluteString, seconds: 2)) {
            try await transport.send(HTTPRequestSpec(url: url), limits: Self.limits(idle: 1, total: 2))
        }
    }

    @Test(arguments: transports) func silenceAfterTheHeadIsAnIdleTimeout(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server(["--headers-then-silence", "/openstack"], work)
        let url = server.url(for: "openstack")
        await #expect(throws: DataSourceError.timedOut(url: url.absoluteString, seconds: 1)) {
            try await transport.send(HTTPRequestSpec(url: url), limits: Self.limits(idle: 1))
        }
    }

    @Test(arguments: transports) func aGigabyteBodyIsRefusedWhileReading(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server(["--oversize", "/a", "--oversize-unannounced", "/b"], work)
        for path in ["a", "b"] {  // announced by Content-Length, then chunked with none
            let url = server.url(for: path)
            await #expect(throws: DataSourceError.documentTooLarge(location: url.absoluteString, limit: 1 << 20)) {
                try await transport.send(HTTPRequestSpec(url: url), limits: Self.limits(maxBytes: 1 << 20))
            }
        }
    }

    @Test(arguments: transports) func anEncodedBodyIsRefused(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server(["--gzip-bomb", "/openstack"], work)
        let url = server.url(for: "openstack")
        await #expect(
            throws: DataSourceError.malformedDocument(
                location: url.absoluteString, reason: "Content-Encoding 'gzip' was not asked for")
        ) {
            try await transport.send(HTTPRequestSpec(url: url), limits: Self.limits(maxBytes: 4 << 20))
        }
    }

    @Test(arguments: transports) func aRedirectIsReturnedNotFollowed(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server(["--redirect", "/openstack=http://127.0.0.1:9/elsewhere"], work)
        let reply = try await transport.send(HTTPRequestSpec(url: server.url(for: "openstack")), limits: Self.limits())
        #expect(reply.status == 302)
        #expect(reply.headers["location"] == "http://127.0.0.1:9/elsewhere")
    }

    @Test(arguments: transports) func aDroppedConnectionIsATransportError(transport: any HTTPTransport) async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server(["--drop", "/openstack"], work)
        let url = server.url(for: "openstack")
        do {
            let reply = try await transport.send(HTTPRequestSpec(url: url), limits: Self.limits())
            Issue.record("a dropped connection answered \(reply.status)")
        } catch let error as DataSourceError {
            guard case .transport(let where_, _) = error else {
                Issue.record("not a transport error: \(error)")
                return
            }
            #expect(where_ == url.absoluteString)
        }
    }

    /// The shipped transport sends https to libcurl (loaded on demand): a TLS hello to the
    /// mock's plain-HTTP port fails in OpenSSL, where the socket transport would refuse the scheme.
    @Test func theAgentTransportSendsHTTPSToLibcurl() async throws {
        let work = try TemporaryDirectory()
        let server = try await Self.server([], work)
        let plain = server.url(for: "openstack")
        var parts = URLComponents(url: plain, resolvingAgainstBaseURL: false)!
        parts.scheme = "https"
        let secure = parts.url!
        #expect(try await AgentTransport().send(HTTPRequestSpec(url: plain), limits: Self.limits()).status == 200)
        do {
            _ = try await AgentTransport().send(HTTPRequestSpec(url: secure), limits: Self.limits())
            Issue.record("a TLS request to a plain HTTP port succeeded")
        } catch DataSourceError.transport(let where_, let reason) {
            #expect(where_ == secure.absoluteString)
            #expect(reason.contains("SSL") || reason.contains("TLS"), "\(reason)")
        }
        await #expect(throws: DataSourceError.self) {
            try await SocketTransport().send(HTTPRequestSpec(url: secure), limits: Self.limits())
        }
    }

    /// Where `transport` is in `transports` (every test argument comes from there): what an
    /// exit test can capture, which a transport cannot.
    static func index(of transport: any HTTPTransport) -> Int {
        transports.firstIndex { type(of: $0) == type(of: transport) }!
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        return user + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
