import AgentBase
import DataSources
import Foundation
import HostEffects
import Logging
import Plugins

/// Builds a `PluginContext` over a temporary root for plugin tests.
public enum PluginTestContext {
    /// A scratch root with /etc/passwd holding root and `users` (uid 1000...), and their homes
    /// (owned by them when the tests run as root).
    public static func makeRoot(users: [String] = ["cloud-user"]) throws -> TemporaryDirectory {
        let root = try TemporaryDirectory(prefix: "guest-agent-root")
        var passwd = "root:x:0:0:root:/root:/bin/bash\n"
        var group = "root:x:0:\nsudo:x:27:\n"
        var shadow = "root:*:19000:0:99999:7:::\n"
        for (index, name) in users.enumerated() {
            let uid = 1000 + index
            passwd += "\(name):x:\(uid):\(uid)::/home/\(name):/bin/bash\n"
            group += "\(name):x:\(uid):\n"
            shadow += "\(name):!:19000:0:99999:7:::\n"
            try FileManager.default.createDirectory(
                atPath: root.path + "/home/\(name)", withIntermediateDirectories: true)
            // Owned by the user, as useradd leaves it (else the plugins would repair it).
            // Only root can chown; other runs keep their own uid.
            if getuid() == 0 { _ = chown(root.path + "/home/\(name)", uid_t(uid), gid_t(uid)) }
        }
        try root.write(passwd, to: "etc/passwd")
        try root.write(group, to: "etc/group")
        try root.write(shadow, to: "etc/shadow", mode: 0o640)
        try FileManager.default.createDirectory(atPath: root.path + "/root", withIntermediateDirectories: true)
        return root
    }

    public static func context(
        _ metadata: InstanceMetadata, root: TemporaryDirectory, config: AgentConfig = AgentConfig(),
        runner: any CommandRunner = RecordingCommandRunner(), logger: Logger? = nil,
        savedState: JSONValue? = nil,
        saveState: @escaping @Sendable (JSONValue?) throws -> Void = { _ in },
        console: @escaping @Sendable (String) -> Void = { _ in },
        liveHostname: (any LiveHostname)? = nil, liveInterfaces: (any LiveInterfaces)? = nil,
        userDataOverrides: UserDataOverrides = UserDataOverrides()
    ) -> PluginContext {
        PluginContext(
            metadata: metadata, config: config, root: SystemRoot(root.path), runner: runner,
            http: MetadataHTTPClient(policy: RetryPolicy(retries: 1, baseInterval: 0.05, requestTimeout: 2)),
            logger: logger ?? LogCapture().logger(), savedState: savedState, saveState: saveState, console: console,
            liveHostname: liveHostname, liveInterfaces: liveInterfaces, userDataOverrides: userDataOverrides)
    }

    /// Metadata like nova's default fixture, for tests that need "some instance".
    public static func sampleMetadata(
        instanceID: String = "4b2c7d8e-1f3a-4c5b-9d6e-7f8091a2b3c4",
        hostname: String? = "demo-instance.novalocal",
        keys: [PublicKeyEntry] = [
            PublicKeyEntry(
                name: "demo-key",
                line: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0mYq4Vx0t9YcKq3x0g1Y0R3u2cXmO9gS2m3YwQ1f1P demo")
        ]
    ) -> InstanceMetadata {
        InstanceMetadata(
            sourceID: "openstack", instanceID: instanceID, hostname: hostname, name: "demo instance",
            publicKeys: keys, meta: [:])
    }
}
