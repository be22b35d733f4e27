import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// A URL seed named on the kernel command line, served by the mock server on loopback.
@Suite struct NoCloudURLSeedTests {
    static func source(root: TemporaryDirectory) -> NoCloudURLSeedSource? {
        NoCloudURLSeedSource(
            root: SystemRoot(root.path),
            client: MetadataHTTPClient(policy: RetryPolicy(retries: 0, baseInterval: 0.05, requestTimeout: 2)))
    }

    @Test func theSeedIsFetchedFromTheURLTheKernelNames() async throws {
        let work = try TemporaryDirectory()
        let server = try await MockServerProcess(fixtures: BuiltProducts.defaultFixtures, logDirectory: work.path)
        defer { server.stop() }
        let root = try TemporaryDirectory()
        // No trailing slash: the agent adds the one cloud-init's documentation asks for.
        try root.write("quiet ds=nocloud-net;s=\(server.url(for: "nocloud").absoluteString)\n", to: "proc/cmdline")
        let source = try #require(Self.source(root: root), "the kernel names a URL seed")
        let metadata = try #require(try await source.load())
        #expect(metadata.instanceID == "iid-nocloud-demo-0001")
        #expect(metadata.hostname == "nocloud-demo")
        #expect(metadata.userData?.isEmpty == false)
        #expect(metadata.sourceLocation == server.url(for: "nocloud").absoluteString + "/")
        let paths = Set(server.loggedRequests().compactMap { $0["path"] as? String })
        #expect(paths.isSuperset(of: ["/nocloud/meta-data", "/nocloud/user-data", "/nocloud/vendor-data"]))
    }

    @Test func aURLWithoutMetaDataIsNamed() async throws {
        let work = try TemporaryDirectory()
        let server = try await MockServerProcess(fixtures: BuiltProducts.defaultFixtures, logDirectory: work.path)
        defer { server.stop() }
        let root = try TemporaryDirectory()
        let base = server.url(for: "elsewhere").absoluteString + "/"
        try root.write("ds=nocloud;s=\(base)\n", to: "proc/cmdline")
        await #expect {
            try await Self.source(root: root)?.load()
        } throws: { "\($0)" == "\(base) has no 'meta-data'" }
    }

    @Test func withoutAURLSeedTheSourceIsNotPresent() async throws {
        let root = try TemporaryDirectory()
        try root.write("ds=nocloud;s=file:///srv/seed/\n", to: "proc/cmdline")
        #expect(Self.source(root: root) == nil, "no URL seed: no source")
    }
}
