import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

struct FixedSource: DataSource {
    let id: String
    let isLocal = false
    let result: @Sendable () async throws -> InstanceMetadata?
    func load() async throws -> InstanceMetadata? { try await result() }
}

@Suite(.ownThread(.timesDeadlines)) struct DiscoveryTests {
    @Test func firstSourceThatLoadsWinsAndAttemptsAreNamed() async throws {
        let metadata = PluginTestContext.sampleMetadata()
        let discovery = Discovery(
            sources: [
                FixedSource(id: "configdrive") { nil },
                FixedSource(id: "openstack") {
                    throw DataSourceError.httpStatus(url: "http://x/openstack", status: 500)
                },
                FixedSource(id: "ec2") { metadata },
            ], deadline: 5, logger: LogCapture().logger())
        let result = await discovery.run()
        #expect(result.metadata == metadata)
        #expect(
            result.attempts == [
                "configdrive: not present", "openstack: HTTP 500 from http://x/openstack",
                "ec2: found instance \(metadata.instanceID)",
            ])
    }

    @Test func deadlineCutsOffAHangingSource() async throws {
        let discovery = Discovery(
            sources: [
                FixedSource(id: "openstack") {
                    try await Task.sleep(nanoseconds: 60_000_000_000)
                    return nil
                },
                FixedSource(id: "ec2") { nil },
            ], deadline: 0.5, logger: LogCapture().logger())
        let clock = ContinuousClock()
        let started = clock.now
        let result = await discovery.run()
        #expect(clock.now - started < .seconds(5))
        #expect(result.metadata == nil)
        #expect(
            result.attempts == [
                "openstack: gave up when the discovery deadline of 0.5 s passed",
                "ec2: not tried, discovery deadline of 0.5 s passed",
            ])
    }
}

@Suite struct PlatformHintTests {
    func sources(_ ids: [(String, Bool)]) -> [any DataSource] {
        ids.map { id, local in HintSource(id: id, isLocal: local) }
    }

    struct HintSource: DataSource {
        let id: String
        let isLocal: Bool
        func load() async throws -> InstanceMetadata? { nil }
    }

    @Test func dmiStringsPointAtTheLikelyCloud() throws {
        let root = try TemporaryDirectory()
        #expect(PlatformHint.detect(root: SystemRoot(root.path)) == nil)
        try root.write("Amazon EC2\n", to: "sys/class/dmi/id/sys_vendor")
        #expect(
            PlatformHint.detect(root: SystemRoot(root.path))
                == PlatformHint(sourceID: "ec2", reason: "DMI sys_vendor is 'Amazon EC2'"))
        try root.write("OpenStack Nova\n", to: "sys/class/dmi/id/product_name")
        #expect(PlatformHint.detect(root: SystemRoot(root.path))?.sourceID == "openstack")
    }

    @Test func hintMovesOnlyNetworkSources() {
        let hint = PlatformHint(sourceID: "ec2", reason: "test")
        let reordered = hint.reorder(sources([("configdrive", true), ("openstack", false), ("ec2", false)]))
        #expect(reordered.map(\.id) == ["configdrive", "ec2", "openstack"])
        let absent = PlatformHint(sourceID: "ec2", reason: "test").reorder(sources([("openstack", false)]))
        #expect(absent.map(\.id) == ["openstack"])
    }
}
