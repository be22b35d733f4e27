import AgentBase
import Foundation
import HostEffects
import TestSupport
import Testing

@testable import Plugins

/// cloud-config mounts as /etc/fstab lines in the agent's block, in a scratch root.
@Suite struct CloudConfigMountsTests {
    static let imageFstab =
        "# <file system> <mount point> <type> <options> <dump> <pass>\nUUID=abc / ext4 errors=remount-ro 0 1\n/dev/vdc /srv xfs defaults 0 0\n"

    @Test func planFillsDefaultsAndMapsNamesAsCloudInit() throws {
        let config = try MountsConfig.read(
            .list([
                .list([.string("sdb"), .string("/data")]),
                .list([.string("vdd"), .string("/opt/x"), .string("ext4"), .null, .int(0), .int(0)]),
                .list([.string("ephemeral0"), .string("/mnt")]),
                .list([.string("/dev/vdc"), .string("/elsewhere")]),
                .list([.string("LABEL=logs"), .string("/var/log/big"), .string("xfs")]),
                .list([.string("server:/export"), .string("/nfs"), .string("nfs")]),
                .list([.string("xvdf.2"), .string("/two")]),
                .list([.string("vde")]),
            ]), defaults: nil)
        let plan = CloudConfigMounts.plan(config, imageDevices: ["/dev/vdc"]) { $0 == "vdd" }
        let options = "defaults,nofail,x-systemd.requires=guest-agent.service,_netdev"
        #expect(
            plan.lines == [
                ["/dev/sdb", "/data", "auto", options, "0", "2"],
                ["/dev/vdd1", "/opt/x", "ext4", options, "0", "0"],
                ["LABEL=logs", "/var/log/big", "xfs", options, "0", "2"],
                ["server:/export", "/nfs", "nfs", options, "0", "2"],
                ["/dev/xvdf2", "/two", "auto", options, "0", "2"],
            ])
        #expect(plan.skipped.count == 2, "\(plan.skipped)")
        #expect(
            plan.skipped.contains { $0.hasPrefix("mounts[2] ephemeral0: a name the cloud maps") }, "\(plan.skipped)")
        #expect(plan.skipped.contains { $0.contains("/dev/vdc is in the image's /etc/fstab already") })
    }

    @Test func nullMountPointDropsEarlierEntriesOfTheDevice() throws {
        let config = try MountsConfig.read(
            .list([.list([.string("sdb"), .string("/a")]), .list([.string("sdb"), .null])]),
            defaults: .list([.null, .null, .string("ext4"), .string("noatime"), .string("0"), .string("1")]))
        #expect(CloudConfigMounts.plan(config, imageDevices: []) { _ in false }.lines.isEmpty)
        let kept = try MountsConfig.read(
            .list([.list([.string("sdb"), .string("/a")])]),
            defaults: .list([.null, .null, .string("ext4"), .string("noatime"), .string("0"), .string("1")]))
        #expect(
            CloudConfigMounts.plan(kept, imageDevices: []) { _ in false }.lines == [
                ["/dev/sdb", "/a", "ext4", "noatime", "0", "1"]
            ])
    }

    /// The image's lines stay byte for byte, the block holds ours, the mount points exist, a
    /// second run changes nothing, and under --root nothing is mounted.
    @Test func writesTheBlockUnderRootWithoutMounting() async throws {
        let root = try PluginTestContext.makeRoot()
        _ = try root.write(Self.imageFstab, to: "etc/fstab")
        let runner = RecordingCommandRunner()
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)
        let config = try CloudConfig(
            Data("#cloud-config\nmounts:\n  - [sdb, /data]\n  - [/dev/vdc, /again]\n  - [swap]\n".utf8)
        ).system
        let failures = await CloudConfigApplier(context: context).applySystem([.mounts], of: config)
        #expect(failures.isEmpty, "\(failures)")
        let fstab = try #require(root.read("etc/fstab"))
        #expect(fstab.hasPrefix(Self.imageFstab))
        #expect(
            fstab.dropFirst(Self.imageFstab.count)
                == "# BEGIN guest-agent cloud-config mounts\n/dev/sdb\t/data\tauto\tdefaults,nofail,x-systemd.requires=guest-agent.service,_netdev\t0\t2\n# END guest-agent cloud-config mounts\n"
        )
        var isDirectory: ObjCBool = false
        #expect(
            FileManager.default.fileExists(atPath: root.path + "/data", isDirectory: &isDirectory)
                && isDirectory.boolValue)
        #expect(runner.calls.isEmpty, "no mount, swapon or systemctl under --root: \(runner.calls.map(\.argv))")

        let before =
            try FileManager.default.attributesOfItem(atPath: root.path + "/etc/fstab")[.modificationDate] as? Date
        _ = await CloudConfigApplier(context: context).applySystem([.mounts], of: config)
        #expect(root.read("etc/fstab") == fstab)
        let after =
            try FileManager.default.attributesOfItem(atPath: root.path + "/etc/fstab")[.modificationDate] as? Date
        #expect(before == after, "an unchanged block is not rewritten")

        // Other entries replace the block; the image's lines still stay.
        let other = try CloudConfig(Data("#cloud-config\nmounts: [[sdc, /other, ext4]]\n".utf8)).system
        _ = await CloudConfigApplier(context: context).applySystem([.mounts], of: other)
        let replaced = try #require(root.read("etc/fstab"))
        #expect(
            replaced.hasPrefix(Self.imageFstab) && replaced.contains("/dev/sdc\t/other\text4")
                && !replaced.contains("/data"))
    }

    @Test func aMountPointOutsideThePathRuleFailsOnlyMounts() async throws {
        let root = try PluginTestContext.makeRoot()
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root)
        let config = try CloudConfig(Data("#cloud-config\nmounts: [[sdb, /data/../../x]]\nlocale: C.UTF-8\n".utf8))
            .system
        let failures = await CloudConfigApplier(context: context).applySystem([.mounts, .locale], of: config)
        #expect(
            failures.count == 1
                && failures[0].hasPrefix("mounts: cloud-config mounts (/dev/sdb) must be a mount point"), "\(failures)")
        #expect(root.read("etc/fstab") == nil)
        #expect(root.read("etc/default/locale") == "LANG=C.UTF-8\n")
    }
}

/// What the live system runs after writing fstab (the commands only: a test cannot act on the
/// live root, so `activate` is called directly over a scratch root with a recording runner).
@Suite struct CloudConfigMountsActivationTests {
    @Test func swaponMountAllThenDaemonReloadEvenAfterAFailure() async throws {
        let root = try PluginTestContext.makeRoot()
        _ = try root.write("#!/bin/sh\n", to: "usr/bin/systemctl", mode: 0o755)
        let runner = RecordingCommandRunner { argv in CommandResult(exitCode: argv == ["mount", "-a"] ? 32 : 0) }
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)
        await #expect(throws: HostError.self) { try await CloudConfigMounts(context: context).activate(swap: true) }
        #expect(runner.calls.map(\.argv) == [["swapon", "-a"], ["mount", "-a"], ["systemctl", "daemon-reload"]])

        let quiet = RecordingCommandRunner()
        let noSystemd = try PluginTestContext.makeRoot()
        try await CloudConfigMounts(
            context: PluginTestContext.context(PluginTestContext.sampleMetadata(), root: noSystemd, runner: quiet)
        ).activate(swap: false)
        #expect(quiet.calls.map(\.argv) == [["mount", "-a"]])
    }
}
