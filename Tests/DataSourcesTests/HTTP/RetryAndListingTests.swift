import DataSources
import Foundation
import TestSupport
import Testing

@testable import DataSources

/// A transport that answers from a script, for exact retry behaviour.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [Result<HTTPReply, DataSourceError>]
    private(set) var requests: [HTTPRequestSpec] = []

    init(_ replies: [Result<HTTPReply, DataSourceError>]) {
        self.replies = replies
    }

    func send(_ request: HTTPRequestSpec, limits: TransferLimits) async throws -> HTTPReply {
        let next = lock.withLock { () -> Result<HTTPReply, DataSourceError> in
            requests.append(request)
            return replies.isEmpty ? .success(HTTPReply(status: 404, body: Data())) : replies.removeFirst()
        }
        return try next.get()
    }

    var count: Int { lock.withLock { requests.count } }
}

@Suite(.ownThread(.timesDeadlines)) struct RetryTests {
    let url = URL(string: "http://127.0.0.1:9/openstack")!
    func client(_ transport: ScriptedTransport, retries: Int = 3) -> MetadataHTTPClient {
        MetadataHTTPClient(
            transport: transport, policy: RetryPolicy(retries: retries, baseInterval: 0.01, maxInterval: 0.02))
    }

    @Test func retriesServerErrorsThenSucceeds() async throws {
        let transport = ScriptedTransport([
            .success(HTTPReply(status: 500, body: Data())), .failure(.transport(url: "x", reason: "reset")),
            .success(HTTPReply(status: 200, body: Data("ok".utf8))),
        ])
        let body = try await client(transport).getIfPresent(url, maxBytes: 10)
        #expect(body == Data("ok".utf8))
        #expect(transport.count == 3)
    }

    @Test func doesNotRetry404OrOversize() async throws {
        let notFound = ScriptedTransport([.success(HTTPReply(status: 404, body: Data()))])
        #expect(try await client(notFound).getIfPresent(url, maxBytes: 10) == nil)
        #expect(notFound.count == 1)
        let huge = ScriptedTransport([.failure(.documentTooLarge(location: "x", limit: 10))])
        await #expect(throws: DataSourceError.documentTooLarge(location: "x", limit: 10)) {
            try await client(huge).getIfPresent(url, maxBytes: 10)
        }
        #expect(huge.count == 1)
    }

    @Test func givesUpAfterTheConfiguredRetriesNamingTheURL() async throws {
        let transport = ScriptedTransport(Array(repeating: .success(HTTPReply(status: 503, body: Data())), count: 10))
        await #expect(throws: DataSourceError.httpStatus(url: url.absoluteString, status: 503)) {
            try await client(transport, retries: 2).getIfPresent(url, maxBytes: 10)
        }
        #expect(transport.count == 3)
    }

    @Test func backoffDoublesAndIsCapped() {
        let policy = RetryPolicy(retries: 5, baseInterval: 0.5, maxInterval: 4)
        #expect((1...6).map(policy.delay(beforeRetry:)) == [0.5, 1, 2, 4, 4, 4])
    }
}

@Suite(.ownThread(.timesDeadlines)) struct ListingTests {
    @Test func versionChoicePrefersNewestKnownAndAcceptsUnknownNewer() {
        #expect(OpenStackVersions.choose(fromListing: "2012-08-10\n2013-04-04\n2018-08-27\nlatest") == "2018-08-27")
        #expect(OpenStackVersions.choose(fromListing: "2018-08-27\n2031-01-01\nlatest") == "2018-08-27")
        #expect(OpenStackVersions.choose(fromListing: "2031-01-01\nlatest") == "latest")
        #expect(OpenStackVersions.choose(fromListing: "") == "latest")
        #expect(!OpenStackVersions.hasPasswordEndpoint("2012-08-10"))
        #expect(OpenStackVersions.hasPasswordEndpoint("2013-04-04"))
    }

    @Test func ec2PublicKeyAndMacListings() {
        let keys = EC2Listing.publicKeys("1=second\n0=first\ngarbage\n-1=neg")
        #expect(keys.map(\.index) == [0, 1])
        #expect(keys.map(\.name) == ["first", "second"])
        #expect(
            EC2Listing.macs("fa:16:3e:00:00:02/\nnot-a-mac/\n0a:1b:2c:3d:4e:5f/") == [
                "0a:1b:2c:3d:4e:5f", "fa:16:3e:00:00:02",
            ])
    }

    @Test(
        arguments: [
            ("/etc/motd", nil),
            ("etc/motd", "path must be absolute"),
            ("/etc/../root/.ssh/authorized_keys", "path has an empty, '.' or '..' component"),
            ("/etc//x", "path has an empty, '.' or '..' component"),
            ("/etc/x\n", "path contains control characters"),
            ("/", "path has an empty, '.' or '..' component"),
        ] as [(String, String?)])
    func injectedFilePaths(path: String, problem: String?) {
        #expect(InjectedFilePolicy.validateGuestPath(path) == problem)
    }

    @Test func contentPathsMustStayUnderContent() {
        #expect(InjectedFilePolicy.contentTreePath("/content/0000") == "content/0000")
        #expect(InjectedFilePolicy.contentTreePath("/content/../latest/meta_data.json") == nil)
        #expect(InjectedFilePolicy.contentTreePath("/content/") == nil)
        #expect(InjectedFilePolicy.contentTreePath("/etc/shadow") == nil)
    }
}

/// `RedirectPolicy` through the client: same-origin GET once; never another origin,
/// never a POST, never twice (hostile probe, items 4 and 7).
@Suite(.ownThread(.timesDeadlines)) struct RedirectTests {
    let url = URL(string: "http://169.254.169.254/openstack/latest/meta_data.json")!

    func redirect(to location: String, status: Int = 302) -> Result<HTTPReply, DataSourceError> {
        .success(HTTPReply(status: status, body: Data(), headers: ["Location": location]))
    }

    func client(_ transport: ScriptedTransport) -> MetadataHTTPClient {
        MetadataHTTPClient(transport: transport, policy: RetryPolicy(retries: 2, baseInterval: 0.01, maxInterval: 0.02))
    }

    @Test func aSameOriginRedirectIsFollowedOnce() async throws {
        let transport = ScriptedTransport([
            redirect(to: "/openstack/2018-08-27/meta_data.json"),
            .success(HTTPReply(status: 200, body: Data("{}".utf8))),
        ])
        #expect(try await client(transport).getIfPresent(url, maxBytes: 10) == Data("{}".utf8))
        #expect(
            transport.requests.map(\.url.path) == [
                "/openstack/latest/meta_data.json", "/openstack/2018-08-27/meta_data.json",
            ])
    }

    @Test(arguments: [
        ("http://10.0.0.1/openstack/latest/meta_data.json", "it leads to another scheme, host or port"),
        ("http://169.254.169.254:8080/x", "it leads to another scheme, host or port"),
        ("https://169.254.169.254/x", "it leads to another scheme, host or port"),
    ])
    func anotherOriginIsRefused(location: String, reason: String) async throws {
        let transport = ScriptedTransport([redirect(to: location)])
        await #expect(throws: DataSourceError.redirectRefused(from: url.absoluteString, to: location, reason: reason)) {
            try await client(transport).getIfPresent(url, maxBytes: 10)
        }
        #expect(transport.count == 1)
    }

    @Test func aSecondRedirectIsRefused() async throws {
        let transport = ScriptedTransport([redirect(to: "/a"), redirect(to: "/b")])
        await #expect(
            throws: DataSourceError.redirectRefused(
                from: "http://169.254.169.254/a", to: "http://169.254.169.254/b",
                reason: "only one redirect is followed")
        ) {
            try await client(transport).getIfPresent(url, maxBytes: 10)
        }
    }

    @Test(arguments: [307, 302, 303]) func aPostIsNeverRedirected(status: Int) async throws {
        let transport = ScriptedTransport([redirect(to: "/openstack/latest/password", status: status)])
        let post = HTTPRequestSpec(
            method: "POST", url: URL(string: "http://169.254.169.254/openstack/latest/password")!, body: Data("x".utf8))
        await #expect(
            throws: DataSourceError.redirectRefused(
                from: post.url.absoluteString, to: post.url.absoluteString,
                reason: "a POST is never redirected")
        ) {
            try await client(transport).send(post, maxBytes: 10)
        }
        #expect(transport.count == 1)
    }

    @Test func theTotalLimitBoundsRetriesToo() async throws {
        let transport = ScriptedTransport(Array(repeating: .failure(.timedOut(url: "x", seconds: 1)), count: 50))
        // The longest waits the jitter can draw, so the count is exact: each is half the limit,
        // and a second one would end just past it, so the client stops after two attempts.
        // Why half: a wait that ends a whole wait before the limit leaves that much room for a
        // test thread woken late on a busy machine. With waits of 0.2 s the fourth one ended
        // 0.2 s before the limit, and the 0.4 s a thread can be late at the start of a
        // parallel run turned the transport's error into the total limit's.
        let client = MetadataHTTPClient(
            transport: transport,
            policy: RetryPolicy(retries: 40, baseInterval: 0.5, maxInterval: 0.5, totalTimeout: 1),
            jitter: { $0.upperBound })
        await #expect(throws: DataSourceError.timedOut(url: "x", seconds: 1)) {
            try await client.getIfPresent(url, maxBytes: 10)
        }
        #expect(transport.count == 2, "retries must stop when the next wait would pass the total limit")
    }
}

/// The documents of one source are asked for together; when one of them finds no route
/// (the network came up while they were on the wire), the source has not loaded: it fails
/// as a whole, for discovery to load it again, instead of losing that document for the
/// instance (booted for real: `user_data` "could not be read: Network is unreachable").
@Suite struct NoRouteDocumentTests {
    /// Answers `meta_data.json` and fails every other path with "no route".
    struct HalfRoutedTransport: HTTPTransport {
        func send(_ request: HTTPRequestSpec, limits: TransferLimits) async throws -> HTTPReply {
            let path = request.url.path
            if path.hasSuffix("/meta_data.json") {
                return HTTPReply(status: 200, body: Data(#"{"uuid": "i-1", "hostname": "h"}"#.utf8))
            }
            if path.hasSuffix("/user_data") {
                throw DataSourceError.networkUnreachable(url: request.url.absoluteString)
            }
            return HTTPReply(status: 404, body: Data())
        }
    }

    @Test func aDocumentWithNoRouteFailsTheSourceInsteadOfBeingLost() async throws {
        let client = MetadataHTTPClient(
            transport: HalfRoutedTransport(), policy: RetryPolicy(retries: 1, baseInterval: 0.01, maxInterval: 0.01))
        let source = OpenStackHTTPSource(baseURL: URL(string: "http://169.254.169.254")!, client: client)
        await #expect(
            throws: DataSourceError.networkUnreachable(url: "http://169.254.169.254/openstack/latest/user_data")
        ) {
            _ = try await source.load()
        }
    }

    @Test func otherDocumentFailuresStayTheDocuments() async throws {
        let read = try await OptionalDocument.read("user data") {
            throw DataSourceError.transport(url: "http://x/user_data", reason: "Connection reset by peer")
        }
        #expect(
            read
                == .unreadable(
                    DocumentReadError(
                        document: "user data", reason: "request to http://x/user_data failed: Connection reset by peer")
                ))
    }
}
