import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// The CloudStack source against the built mock on loopback: the router found from a faked
/// lease naming 127.0.0.1, DMI faked under the root, metadata from `fixtures/cloudstack`, and
/// the password server protocol (the mock plays CloudStack's `passwd_server_ip.py`).
@Suite struct CloudStackSourceTests {
    static let fixtures = BuiltProducts.repository.appendingPathComponent("fixtures/cloudstack").path

    struct Setup {
        let root: TemporaryDirectory
        let server: MockServerProcess

        func source(needs: MetadataNeeds = .all, product: String = "CloudStack KVM Hypervisor") throws
            -> CloudStackSource
        {
            try root.write(product + "\n", to: "sys/class/dmi/id/product_name")
            let port = server.baseURL.port ?? 0
            return CloudStackSource(
                root: SystemRoot(root.path),
                client: MetadataHTTPClient(policy: RetryPolicy(retries: 0, baseInterval: 0.05, requestTimeout: 2)),
                needs: needs, ports: .init(metadata: port, password: port))
        }
    }

    static func setup(_ arguments: [String] = []) async throws -> Setup {
        let root = try TemporaryDirectory(prefix: "guest-agent-cloudstack")
        try root.write("ADDRESS=127.0.0.5\nSERVER_ADDRESS=127.0.0.1\n", to: "run/systemd/netif/leases/2")
        let server = try await MockServerProcess(fixtures: fixtures, arguments: arguments, logDirectory: root.path)
        return Setup(root: root, server: server)
    }

    @Test func readsTheMetadataAndThePasswordWithoutAcknowledging() async throws {
        let setup = try await Self.setup(["--cloudstack-password", "Cs-Pass-1234"])
        let metadata = try #require(try await setup.source().load())
        #expect(metadata.sourceID == "cloudstack")
        #expect(metadata.instanceID == "i-2-34-VM")
        #expect(metadata.hostname == "cs-demo")
        #expect(metadata.availabilityZone == "zone1")
        #expect(metadata.publicKeys.count == 2)
        #expect(metadata.publicKeys.first?.line.hasPrefix("ssh-ed25519 ") == true)
        #expect(String(decoding: metadata.userData ?? Data(), as: UTF8.self).hasPrefix("#cloud-config"))
        #expect(metadata.platformPassword?.secret == .clearText("Cs-Pass-1234"))
        guard case .cloudStackPasswordServer(let url)? = metadata.platformPassword?.acknowledgement else {
            Issue.record("no acknowledgement place")
            return
        }
        #expect(url.host == "127.0.0.1")
        let asked = setup.server.loggedRequests().compactMap { $0["domuRequest"] as? String }
        #expect(asked == ["send_my_password"], "the source must never acknowledge")
    }

    @Test func theServersProtocolAskAcknowledgeThenNothingNew() async throws {
        let setup = try await Self.setup(["--cloudstack-password", "Cs-Pass-1234"])
        let url = try #require(CloudStackPasswordServer.url(router: "127.0.0.1", port: setup.server.baseURL.port ?? 0))
        let server = CloudStackPasswordServer(url: url, http: MetadataHTTPClient(policy: RetryPolicy(retries: 0)))
        #expect(try await server.fetch() == .password("Cs-Pass-1234"))
        #expect(try await server.fetch() == .password("Cs-Pass-1234"), "asking does not consume it")
        try await server.acknowledge()
        #expect(try await server.fetch() == .nothingNew)
        let asked = setup.server.loggedRequests().compactMap { $0["domuRequest"] as? String }
        #expect(asked == ["send_my_password", "send_my_password", "saved_password", "send_my_password"])
    }

    @Test func noPasswordIsNothingNewAndAFailedServerIsRecordedNotFatal() async throws {
        let setup = try await Self.setup()
        let metadata = try #require(try await setup.source().load())
        #expect(metadata.platformPassword == nil)
        #expect(metadata.platformPasswordProblem == nil)

        let broken = try await Self.setup(["--fail-first", "5:/"])
        let answered = try #require(try await broken.source().load())
        #expect(answered.instanceID == "i-2-34-VM")
        #expect(answered.platformPassword == nil)
        #expect(answered.platformPasswordProblem?.contains("password server") == true)
    }

    @Test func withoutThePlatformPasswordNeedTheServerIsNotAsked() async throws {
        let setup = try await Self.setup(["--cloudstack-password", "x"])
        let metadata = try #require(try await setup.source(needs: [.userData]).load())
        #expect(metadata.platformPassword == nil)
        #expect(setup.server.loggedRequests().allSatisfy { $0["domuRequest"] == nil })
    }

    @Test func anotherPlatformIsNotAskedAnything() async throws {
        let setup = try await Self.setup(["--cloudstack-password", "x"])
        #expect(try await setup.source(product: "Standard PC (Q35 + ICH9, 2009)").load() == nil)
        #expect(try await setup.source(product: "Exoscale Compute Platform").load() == nil)
        #expect(setup.server.loggedRequests().isEmpty)
    }

    @Test func noLeaseAndNoRouteYetIsNoRouteSoDiscoveryWaits() async throws {
        let root = try TemporaryDirectory(prefix: "guest-agent-cloudstack")
        try root.write("CloudStack KVM Hypervisor\n", to: "sys/class/dmi/id/product_name")
        let source = CloudStackSource(root: SystemRoot(root.path), client: MetadataHTTPClient())
        let error = await #expect(throws: DataSourceError.self) { try await source.load() }
        #expect(error?.isNetworkUnreachable == true)
    }

    @Test func exoscaleUsesItsFixedAddressAndVersion() {
        #expect(CloudStackSource.Flavor.exoscale.fixedAddress == "169.254.169.254")
        #expect(
            CloudStackPasswordServer.url(router: "169.254.169.254", path: "/1.0/")?.absoluteString
                == "http://169.254.169.254:8080/1.0/")
    }
}
