import Foundation
import TestSupport
import Testing

/// The built agent with cloud-config mounts, ntp, locale and power_state under --root: the
/// files land in the root, nothing is mounted or restarted, and the root's own `shutdown`
/// (a recording fake) is never called, in a dry run or a real one; a second run changes nothing.
@Suite struct CloudConfigSystemEndToEndTests {
    static let userData = """
        #cloud-config
        mounts:
          - [vdb, /data, ext4]
        ntp:
          servers: [ntp.example.com]
        locale: C.UTF-8
        power_state:
          mode: reboot
          delay: 1
          message: after cloud-config
        """

    @Test func systemKeysUnderRootNeverStopTheMachine() async throws {
        let root = try TemporaryDirectory(prefix: "cc-system-e2e")
        _ = try root.write(
            #"{"uuid": "7c1d2e3f-0000-4000-8000-0000000000cc", "hostname": "cc-system"}"#,
            to: "drive/openstack/latest/meta_data.json")
        _ = try root.write(Self.userData, to: "drive/openstack/latest/user_data")
        _ = try root.write("UUID=1 / ext4 defaults 0 1\n", to: "etc/fstab")
        _ = try root.write(
            "pool 2.debian.pool.ntp.org iburst\nsourcedir /etc/chrony/sources.d\n", to: "etc/chrony/chrony.conf")
        _ = try root.write("#!/bin/sh\nexit 0\n", to: "usr/sbin/chronyd", mode: 0o755)
        // A recording fake: if the agent ever ran it, the marker would appear.
        _ = try root.write(
            "#!/bin/sh\necho \"$@\" >> \(root.path)/shutdown-called\n", to: "usr/sbin/shutdown", mode: 0o755)
        _ = try root.write(
            "#!/bin/sh\necho \"$@\" >> \(root.path)/systemctl-called\n", to: "usr/bin/systemctl", mode: 0o755)
        let config = try root.write(
            "metadata_services = configdrive\nconfigdrive_paths = /drive\nplugins = userdata\n", to: "agent.conf")

        let dry = try await Program.agent(["run", "--dry-run"], config: config, root: root.path)
        let dryOutput = dry.standardOutput + dry.standardError
        #expect(dry.status == 0, "\(dryOutput)")
        #expect(dryOutput.contains("power_state (reboot +1 min, after the run)"), "\(dryOutput)")
        #expect(
            dryOutput.contains("mounts (1)") && dryOutput.contains("ntp (auto)") && dryOutput.contains("locale C.UTF-8")
        )
        #expect(root.read("etc/fstab") == "UUID=1 / ext4 defaults 0 1\n", "a dry run writes nothing")

        let first = try await Program.agent(["run"], config: config, root: root.path)
        let output = first.standardOutput + first.standardError
        #expect(first.status == 0, "\(output)")
        let fstab = try #require(root.read("etc/fstab"))
        #expect(
            fstab.hasPrefix(
                "UUID=1 / ext4 defaults 0 1\n# BEGIN guest-agent cloud-config mounts\n/dev/vdb\t/data\text4\t"))
        #expect(FileManager.default.fileExists(atPath: root.path + "/data"))
        #expect(
            root.read("etc/chrony/sources.d/guest-agent.sources")?.contains("server ntp.example.com iburst") == true)
        #expect(root.read("etc/default/locale") == "LANG=C.UTF-8\n")
        #expect(output.contains("power_state not carried out"), "\(output)")
        #expect(root.read("shutdown-called") == nil, "shutdown must never run under --root")
        #expect(root.read("systemctl-called") == nil, "no restart or daemon-reload under --root")

        let second = try await Program.agent(["run"], config: config, root: root.path)
        #expect(second.status == 0)
        #expect(root.read("etc/fstab") == fstab, "a second run changes nothing")
        #expect(!(second.standardOutput + second.standardError).contains("power_state"))
        #expect(root.read("shutdown-called") == nil)
    }
}
