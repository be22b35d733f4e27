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
    /// A network that comes up after the network stage started (a DHCP lease after
    /// `network-online.target`): the source is loaded again once there is a route.
    @Test func aSourceWithNoRouteYetIsTriedAgainUntilTheNetworkIsUp() async throws {
        let metadata = PluginTestContext.sampleMetadata()
        let loads = Counter()
        let discovery = Discovery(
            sources: [
                FixedSource(id: "openstack") {
                    guard loads.next() > 2 else {
                        throw DataSourceError.networkUnreachable(url: "http://169.254.169.254/openstack")
                    }
                    return metadata
                }
            ], deadline: 10, logger: LogCapture().logger())
        let result = await discovery.run()
        #expect(result.metadata == metadata)
        #expect(loads.value == 3)
        #expect(result.attempts == ["openstack: found instance \(metadata.instanceID)"])
    }

    /// No network at all: the wait ends at the deadline, named, and the next source is not
    /// tried after it.
    @Test func noRouteUntilTheDeadlineIsNamed() async throws {
        let loads = Counter()
        let discovery = Discovery(
            sources: [
                FixedSource(id: "openstack") {
                    _ = loads.next()
                    throw DataSourceError.networkUnreachable(url: "http://169.254.169.254/openstack")
                },
                FixedSource(id: "ec2") { nil },
            ], deadline: 1, logger: LogCapture().logger())
        let result = await discovery.run()
        #expect(result.metadata == nil)
        #expect(loads.value >= 2)
        #expect(
            result.attempts == [
                "openstack: request to http://169.254.169.254/openstack failed: Network is unreachable (no route yet)"
                    + " until the discovery deadline of 1.0 s passed",
                "ec2: not tried, discovery deadline of 1.0 s passed",
            ])
    }

    /// Other failures are not waited on: a source that answers 500 is reported at once.
    @Test func otherFailuresAreNotRetriedByDiscovery() async throws {
        let loads = Counter()
        let discovery = Discovery(
            sources: [
                FixedSource(id: "openstack") {
                    _ = loads.next()
                    throw DataSourceError.transport(url: "http://x", reason: "Connection refused")
                }
            ], deadline: 5, logger: LogCapture().logger())
        let result = await discovery.run()
        #expect(loads.value == 1)
        #expect(result.attempts == ["openstack: request to http://x failed: Connection refused"])
    }
}

/// A thread-safe count of calls.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    /// Counts one call and returns the new count.
    func next() -> Int {
        lock.withLock {
            count += 1
            return count
        }
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
        // The product names that gate the CloudStack and Exoscale sources (cloud-init's ds_detect).
        try root.write("CloudStack KVM Hypervisor\n", to: "sys/class/dmi/id/product_name")
        #expect(PlatformHint.detect(root: SystemRoot(root.path))?.sourceID == "cloudstack")
        try root.write("Exoscale Compute Platform\n", to: "sys/class/dmi/id/product_name")
        #expect(PlatformHint.detect(root: SystemRoot(root.path))?.sourceID == "exoscale")
    }

    @Test func hintMovesOnlyNetworkSources() {
        let hint = PlatformHint(sourceID: "ec2", reason: "test")
        let reordered = hint.reorder(sources([("configdrive", true), ("openstack", false), ("ec2", false)]))
        #expect(reordered.map(\.id) == ["configdrive", "ec2", "openstack"])
        let absent = PlatformHint(sourceID: "ec2", reason: "test").reorder(sources([("openstack", false)]))
        #expect(absent.map(\.id) == ["openstack"])
    }
}
