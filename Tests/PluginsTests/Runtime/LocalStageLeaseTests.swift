import AgentBase
import DataSources
import Foundation
import HostEffects
import TestSupport
import Testing

@testable import Plugins

/// When the local stage asks for a DHCP lease, and when it leaves the NIC alone (the real
/// exchange is `EndToEndTests/LocalStageLeaseNamespaceTests`).
@Suite struct LocalStageLeaseTests {
    @Test func onlySourcesAtTheMetadataAddressAreReadOverALease() throws {
        let linkLocal = try #require(URL(string: "http://169.254.169.254/"))
        let elsewhere = try #require(URL(string: "http://127.0.0.1:8080/"))
        let sources: [any DataSource] = [
            ConfigDriveSource(locator: ConfigDriveLocator(root: SystemRoot("/nonexistent"), configuredPaths: [])),
            OpenStackHTTPSource(baseURL: elsewhere, client: MetadataHTTPClient()),
            OpenStackHTTPSource(baseURL: linkLocal, client: MetadataHTTPClient()),
            EC2MetadataSource(baseURL: linkLocal, client: MetadataHTTPClient()),
            EC2MetadataSource(baseURL: elsewhere, client: MetadataHTTPClient()),
        ]
        let chosen = LocalStageLease.leaseSources(sources)
        #expect(chosen.map(\.id) == ["openstack", "ec2"])
        #expect((chosen[0] as? OpenStackHTTPSource)?.baseURL == linkLocal)
        // `auto` (the default): only the source DMI names, as cloud-init's OpenStackLocal
        // and Ec2Local; nothing without a hint.
        let nova = PlatformHint(sourceID: "openstack", reason: "DMI product_name is 'OpenStack Nova'")
        #expect(LocalStageLease.leaseSources(sources, setting: .auto, hint: nova).map(\.id) == ["openstack"])
        let amazon = PlatformHint(sourceID: "ec2", reason: "DMI sys_vendor is 'Amazon EC2'")
        #expect(LocalStageLease.leaseSources(sources, setting: .auto, hint: amazon).map(\.id) == ["ec2"])
        #expect(LocalStageLease.leaseSources(sources, setting: .auto, hint: nil).isEmpty)
        let google = PlatformHint(sourceID: "gce", reason: "DMI product_name is 'Google Compute Engine'")
        #expect(LocalStageLease.leaseSources(sources, setting: .auto, hint: google).isEmpty)
        #expect(LocalStageLease.leaseSources(sources, setting: .always, hint: nil).map(\.id) == ["openstack", "ec2"])
        #expect(LocalStageLease.leaseSources(sources, setting: .never, hint: nova).isEmpty)
    }

    /// A root with `ip` and one down NIC `ens3`.
    static func root() throws -> TemporaryDirectory {
        let root = try TemporaryDirectory(prefix: "lease-root")
        try root.write("#!/bin/sh\n", to: "usr/sbin/ip", mode: 0o755)
        for (file, value) in [
            ("address", "fa:16:3e:12:34:56"), ("type", "1"), ("operstate", "down"), ("flags", "0x1002"),
        ] {
            try root.write(value + "\n", to: "sys/class/net/ens3/" + file)
        }
        return root
    }

    /// The network is already up (the NIC has an address): nothing is changed on it and no
    /// source is read.
    @Test func aNICWithAnAddressIsLeftAlone() async throws {
        let root = try Self.root()
        let runner = RecordingCommandRunner { argv in
            argv.starts(with: ["ip", "-4", "-o", "addr", "show"])
                ? CommandResult(exitCode: 0, standardOutput: "2: ens3    inet 10.0.0.9/24 scope global ens3\n")
                : CommandResult(exitCode: 0)
        }
        let log = LogCapture()
        let lease = LocalStageLease(root: SystemRoot(root.path), runner: runner, logger: log.logger())
        let result = await lease.withLease(within: 2) { _ in
            Issue.record("no source may be read")
            return await Discovery(sources: [], deadline: 0, logger: log.logger()).run()
        }
        #expect(result == nil)
        #expect(runner.calls.map(\.argv).allSatisfy { !$0.contains("set") && !$0.contains("add") })
        #expect(log.text.contains("already has an IPv4 address"), "\(log.text)")
    }

    /// `ip link set up` fails (a NIC that vanished, or a broken `ip`): nothing was done, so
    /// nothing is undone, and no source is read.
    @Test func aNICThatCannotBeBroughtUpEndsTheAttempt() async throws {
        let root = try Self.root()
        let runner = RecordingCommandRunner { argv in
            argv.contains("up")
                ? CommandResult(exitCode: 2, standardError: "Cannot find device") : CommandResult(exitCode: 0)
        }
        let log = LogCapture()
        let lease = LocalStageLease(root: SystemRoot(root.path), runner: runner, logger: log.logger())
        let result = await lease.withLease(within: 2) { _ in
            Issue.record("no source may be read")
            return await Discovery(sources: [], deadline: 0, logger: log.logger()).run()
        }
        #expect(result == nil)
        #expect(runner.calls.map(\.argv).last == ["ip", "link", "set", "dev", "ens3", "up"])
        #expect(log.text.contains("Cannot find device"), "\(log.text)")
    }

    /// Without `ip` in the image nothing is tried.
    @Test func withoutIPNothingIsTried() async throws {
        let root = try Self.root()
        try FileManager.default.removeItem(atPath: root.path + "/usr/sbin/ip")
        let runner = RecordingCommandRunner()
        let log = LogCapture()
        let result = await LocalStageLease(root: SystemRoot(root.path), runner: runner, logger: log.logger())
            .withLease(within: 2) { _ in await Discovery(sources: [], deadline: 0, logger: log.logger()).run() }
        #expect(result == nil)
        #expect(runner.calls.isEmpty)
        #expect(log.text.contains("no 'ip'"))
    }
}
