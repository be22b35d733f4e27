import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// The OpenStack HTTP source against the real mock server binary on loopback.
@Suite(.ownThread(.timesDeadlines)) struct OpenStackSourceTests {
    static let fixtureInstance = "4b2c7d8e-1f3a-4c5b-9d6e-7f8091a2b3c4"

    struct Setup {
        let work: TemporaryDirectory
        let server: MockServerProcess
        let fixtures: String
        func source(retries: Int = 2, timeout: Double = 1, limits: DocumentLimits = .standard) -> OpenStackHTTPSource {
            OpenStackHTTPSource(
                baseURL: server.baseURL,
                client: MetadataHTTPClient(
                    policy: RetryPolicy(retries: retries, baseInterval: 0.05, maxInterval: 0.2, requestTimeout: timeout)
                ),
                limits: limits)
        }
    }

    /// Copies the default fixtures (so a test may change them) and serves them.
    static func setup(_ arguments: [String] = [], change: (String) throws -> Void = { _ in }) async throws -> Setup {
        let work = try TemporaryDirectory(prefix: "guest-agent-openstack")
        let fixtures = work.path + "/fixtures"
        try FileManager.default.copyItem(atPath: BuiltProducts.defaultFixtures, toPath: fixtures)
        try change(fixtures)
        return Setup(
            work: work,
            server: try await MockServerProcess(fixtures: fixtures, arguments: arguments, logDirectory: work.path),
            fixtures: fixtures)
    }

    @Test func happyPathNormalizesEverything() async throws {
        let setup = try await Self.setup()
        let metadata = try #require(try await setup.source().load())
        #expect(metadata.sourceID == "openstack")
        #expect(metadata.instanceID == Self.fixtureInstance)
        #expect(metadata.hostname == "demo-instance.novalocal")
        #expect(metadata.adminUsername == "cloud-admin")
        #expect(metadata.publicKeys.map(\.name) == ["demo-key"])
        #expect(metadata.publicKeys.first?.line.hasPrefix("ssh-rsa AAAAB3NzaC1yc2E") == true)
        #expect(metadata.userData != nil)
        #expect(metadata.network != nil)
        #expect(metadata.adminPassword == nil)
        #expect(
            metadata.passwordPublication
                == .novaPasswordEndpoint(setup.server.baseURL.appendingPathComponent("openstack/latest/password")))
        // The budget: five documents of `latest` (no version listing) and what the password
        // endpoint holds (the password plugin's GET, read beside them), plus one per injected file.
        #expect(metadata.files.map(\.path) == ["/etc/guest-agent-demo/motd"])
        #expect(metadata.passwordEndpointValue == "")
        let paths = setup.server.loggedRequests().compactMap { $0["path"] as? String }
        #expect(paths.count == 6 + metadata.files.count)
        #expect(paths.contains("/openstack/latest/password"))
        #expect(!paths.contains("/openstack"))
    }

    @Test func onlyWhatThePluginsNeedIsFetched() async throws {
        let setup = try await Self.setup()
        let source = OpenStackHTTPSource(baseURL: setup.server.baseURL, client: MetadataHTTPClient(), needs: [])
        let metadata = try #require(try await source.load())
        #expect(metadata.userData == nil && metadata.vendorData == nil && metadata.files.isEmpty)
        #expect(
            setup.server.loggedRequests().compactMap { $0["path"] as? String } == ["/openstack/latest/meta_data.json"])
    }

    @Test func withoutLatestTheListingPicksTheVersion() async throws {
        let setup = try await Self.setup {
            try FileManager.default.moveItem(atPath: $0 + "/openstack/latest", toPath: $0 + "/openstack/2018-08-27")
            try "2012-08-10\n2013-04-04\n2018-08-27".write(
                toFile: $0 + "/openstack/versions", atomically: true, encoding: .utf8)
        }
        let metadata = try #require(try await setup.source().load())
        #expect(metadata.instanceID == Self.fixtureInstance)
        #expect(
            metadata.passwordPublication
                == .novaPasswordEndpoint(setup.server.baseURL.appendingPathComponent("openstack/2018-08-27/password")))
        let paths = setup.server.loggedRequests().compactMap { $0["path"] as? String }
        #expect(paths.contains("/openstack") && paths.contains("/openstack/2018-08-27/meta_data.json"))
    }

    @Test func missingUserDataIsNotAnError() async throws {
        let setup = try await Self.setup {
            try FileManager.default.removeItem(atPath: $0 + "/openstack/latest/user_data")
        }
        let metadata = try #require(try await setup.source().load())
        #expect(metadata.userData == nil)
    }

    @Test func serverErrorsAreRetried() async throws {
        let setup = try await Self.setup(["--fail-first", "2:/openstack/latest/meta_data.json"])
        let metadata = try await setup.source(retries: 3).load()
        #expect(metadata?.instanceID == Self.fixtureInstance)
        let statuses = setup.server.loggedRequests().filter {
            ($0["path"] as? String) == "/openstack/latest/meta_data.json"
        }.compactMap { $0["status"] as? Int }
        #expect(statuses == [500, 500, 200])
    }

    @Test func aHangingServerTimesOutWithANamedError() async throws {
        let setup = try await Self.setup(["--hang", "/openstack/latest/meta_data.json"])
        let started = Date()
        await #expect {
            try await setup.source(retries: 1, timeout: 1).load()
        } throws: { error in
            "\(error)"
                == "no answer from \(setup.server.baseURL.absoluteString)/openstack/latest/meta_data.json within 1.0 s"
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aDroppedConnectionIsANamedError() async throws {
        let setup = try await Self.setup(["--drop", "/openstack/latest/meta_data.json"])
        await #expect {
            try await setup.source(retries: 1).load()
        } throws: { error in
            "\(error)".contains("/openstack/latest/meta_data.json")
        }
    }

    @Test func malformedJSONNamesTheDocument() async throws {
        let setup = try await Self.setup {
            try Data("{\"uuid\": \"x\", oops".utf8).write(
                to: URL(fileURLWithPath: $0 + "/openstack/latest/meta_data.json"))
        }
        await #expect {
            try await setup.source().load()
        } throws: { error in
            "\(error)".hasPrefix(
                "malformed document at \(setup.server.baseURL.absoluteString)/openstack/latest/meta_data.json: not valid JSON"
            )
        }
    }

    /// Regression (hostile probe): one element of the wrong type made the whole list be
    /// ignored ("metadata has no SSH keys", exit 0). The valid elements stay; the bad
    /// ones are named by index.
    @Test func aBadListElementCostsOnlyItself() async throws {
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0mYq4Vx0t9YcKq3x0g1Y0R3u2cXmO9gS2m3YwQ1f1P good"
        let document = """
            {"uuid": "u-1", "keys": [42, {"name": "good", "type": "ssh", "data": "\(key)"}, {"name": "no-data"}],
             "files": ["/etc/x", {"path": "/etc/motd", "content_path": "/content/0000"}, {"path": 7}]}
            """
        let setup = try await Self.setup {
            try Data(document.utf8).write(to: URL(fileURLWithPath: $0 + "/openstack/latest/meta_data.json"))
        }
        let metadata = try #require(try await setup.source().load())
        #expect(metadata.publicKeys.map(\.line) == [key])
        #expect(
            metadata.refusedKeys == [
                "keys[0] is not an object with a string 'data'", "keys[2] is not an object with a string 'data'",
            ])
        #expect(metadata.files.map(\.path) == ["/etc/motd"])
        #expect(metadata.refusedFiles.map(\.path) == ["files[0]", "files[2]"])
    }

    @Test func metadataWithoutUUIDIsRefused() async throws {
        let setup = try await Self.setup {
            try Data("{\"hostname\": \"x\"}".utf8).write(
                to: URL(fileURLWithPath: $0 + "/openstack/latest/meta_data.json"))
        }
        await #expect(
            throws: DataSourceError.missingField(
                location: setup.server.baseURL.absoluteString + "/openstack/latest/meta_data.json", field: "uuid")
        ) {
            try await setup.source().load()
        }
    }

    /// A required document over its cap fails the source, naming it; an optional one (user
    /// data) is only marked unreadable (issue 29; `OptionalDocumentTests` has the rest).
    @Test func oversizeDocumentsAreRefused() async throws {
        let setup = try await Self.setup {
            try Data(repeating: 0x41, count: 300_000).write(
                to: URL(fileURLWithPath: $0 + "/openstack/latest/user_data"))
        }
        let base = setup.server.baseURL.absoluteString
        let small = DocumentLimits(jsonBytes: 1024, userDataBytes: 1 << 20)
        await #expect(
            throws: DataSourceError.documentTooLarge(location: base + "/openstack/latest/meta_data.json", limit: 1024)
        ) {
            try await setup.source(limits: small).load()
        }
        let limits = DocumentLimits(jsonBytes: 1 << 20, userDataBytes: 64 * 1024)
        let metadata = try #require(try await setup.source(limits: limits).load())
        let tooLarge = DataSourceError.documentTooLarge(
            location: base + "/openstack/latest/user_data", limit: 64 * 1024)
        #expect(
            metadata.userDataDocument
                == .unreadable(DocumentReadError(document: "user data", reason: "\(tooLarge)")))
    }

    @Test func unknownNewerVersionsAreAccepted() async throws {
        let onlyNewer = try await Self.setup {
            try "2031-05-05".write(toFile: $0 + "/openstack/versions", atomically: true, encoding: .utf8)
        }
        let latest = try await onlyNewer.source().load()
        #expect(
            latest?.passwordPublication
                == .novaPasswordEndpoint(onlyNewer.server.baseURL.appendingPathComponent("openstack/latest/password")))
    }

    @Test func nothingListeningIsATransportError() async throws {
        let source = OpenStackHTTPSource(
            baseURL: URL(string: "http://127.0.0.1:9/")!,
            client: MetadataHTTPClient(policy: RetryPolicy(retries: 1, baseInterval: 0.05, requestTimeout: 1)))
        await #expect { try await source.load() } throws: {
            "\($0)".hasPrefix("request to http://127.0.0.1:9/openstack/latest/")
        }
    }
}
