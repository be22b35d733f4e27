import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// Regression (issue 29): `admin_username` naming an existing system account made the agent
/// chown that account's home to it (/etc, /var/lib, /run/systemd were tried), add it to sudo
/// and install keys its nologin shell could not use. Only a home of exactly `/` was guarded.
@Suite struct SystemAccountTests {
    /// Beside cloud-user (1000) and root: accounts the agent must never take over. No sudo
    /// group and a /etc/sudoers.d, so that the users plugin would want a drop-in.
    static func root(loginDefs: String? = nil) throws -> TemporaryDirectory {
        let root = try PluginTestContext.makeRoot()
        let passwd = try #require(root.read("etc/passwd"))
        try root.write(
            passwd + "etcsvc:x:120:120:a service whose home is /etc:/etc:/bin/sh\n"
                + "daemonish:x:998:998::/var/lib/daemonish:/usr/sbin/nologin\n"
                + "noshell:x:1005:1005::/home/noshell:/bin/false\n"
                + "etchome:x:1006:1006:a user whose home is /etc:/etc:/bin/bash\n", to: "etc/passwd")
        try root.write(
            "root:x:0:\ncloud-user:x:1000:\netcsvc:x:120:\ndaemonish:x:998:\nnoshell:x:1005:\netchome:x:1006:\n",
            to: "etc/group")
        let shadow = try #require(root.read("etc/shadow"))
        try root.write(
            shadow + ["etcsvc", "daemonish", "noshell", "etchome"].map { "\($0):!:19000:0:99999:7:::\n" }.joined(),
            to: "etc/shadow", mode: 0o640)
        for directory in ["var/lib/daemonish", "home/noshell", "etc/sudoers.d"] {
            try FileManager.default.createDirectory(
                atPath: root.path + "/" + directory, withIntermediateDirectories: true)
        }
        if let loginDefs { try root.write(loginDefs, to: "etc/login.defs") }
        return root
    }

    static func metadata(admin: String) -> InstanceMetadata {
        var metadata = PluginTestContext.sampleMetadata()
        metadata.meta["admin_username"] = admin
        // The injected password path: the password plugin needs no server to get to chpasswd.
        metadata.adminPassword = "Given-At-Boot-42"
        return metadata
    }

    static let plugins: [any Plugin] = [UsersPlugin(), PasswordPlugin(), SSHKeysPlugin()]

    @Test(arguments: [
        ("etcsvc", "its uid 120 is below UID_MIN 1000"),
        ("daemonish", "its uid 998 is below UID_MIN 1000"),
        ("noshell", "its shell /bin/false does not allow logins"),
    ])
    func usersPasswordAndSSHKeysRefuseASystemAccountNamingIt(name: String, why: String) async throws {
        let root = try Self.root()
        let etcBefore = try root.attributes("etc")
        let runner = FakeChpasswd()
        let context = PluginTestContext.context(Self.metadata(admin: name), root: root, runner: runner)
        for plugin in Self.plugins {
            await #expect("\(plugin.id) plan") {
                try await plugin.describedPlan(context)
            } throws: { error in
                "\(error)".contains("'\(name)'") && "\(error)".contains(why)
            }
            await #expect("\(plugin.id) apply") {
                try await plugin.planAndApply(context)
            } throws: { error in
                "\(error)".contains("'\(name)'") && "\(error)".contains(why)
            }
        }
        #expect(runner.calls.isEmpty, "no usermod, no chpasswd")
        let etcAfter = try root.attributes("etc")
        #expect(etcAfter.uid == etcBefore.uid && etcAfter.gid == etcBefore.gid && etcAfter.mode == etcBefore.mode)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc/sudoers.d").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root.path + "/etc/.ssh"))
        #expect(!FileManager.default.fileExists(atPath: root.path + "/var/lib/daemonish/.ssh"))
        #expect(!FileManager.default.fileExists(atPath: root.path + "/home/noshell/.ssh"))
        #expect(root.read("etc/shadow")?.contains("\(name):!:") == true)
    }

    @Test func theLimitIsTheTargetRootsUIDMin() async throws {
        // UID_MIN 2000 in the image: its uid-1000 account is a system account there.
        let strict = try Self.root(loginDefs: "UID_MIN\t\t 2000\n")
        let context = PluginTestContext.context(Self.metadata(admin: "cloud-user"), root: strict)
        await #expect { try await UsersPlugin().describedPlan(context) } throws: {
            "\($0)".contains("its uid 1000 is below UID_MIN 2000 (\(strict.path)/etc/login.defs)")
        }
        // UID_MIN 100: a uid-120 account with a shell is an ordinary user there.
        let loose = try Self.root(loginDefs: "UID_MIN 100\n")
        let runner = FakeChpasswd()
        let password = PluginTestContext.context(Self.metadata(admin: "etcsvc"), root: loose, runner: runner)
        #expect(try await PasswordPlugin().planAndApply(password) == .done)
        #expect(runner.calls.count == 1)
    }

    @Test(.enabled(if: Program.isRoot, "a root-owned /root in the scratch root needs root: skipped (CI runs as root)"))
    func rootKeysThroughSSHKeysForRootStillWork() async throws {
        // root (uid 0) is no admin user, but ssh_keys_for_root installs its keys as before.
        let root = try Self.root()
        var config = AgentConfig()
        config.sshKeysForRoot = true
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, config: config)
        #expect(try await SSHKeysPlugin().planAndApply(context) == .done)
        #expect(root.read("root/.ssh/authorized_keys")?.contains("demo") == true)
        #expect(root.read("home/cloud-user/.ssh/authorized_keys")?.contains("demo") == true)
    }

    /// "Never chown a directory the agent did not create": an ordinary account whose home is
    /// a system directory owned by someone else is not given that directory.
    @Test func aHomeOutsideTheHomeBaseIsNeverGivenAway() async throws {
        let root = try Self.root()
        let etcBefore = try root.attributes("etc")
        let runner = RecordingCommandRunner()
        let context = PluginTestContext.context(Self.metadata(admin: "etchome"), root: root, runner: runner)
        for plugin in [UsersPlugin(), SSHKeysPlugin()] as [any Plugin] {
            await #expect("\(plugin.id)") {
                try await plugin.planAndApply(context)
            } throws: { error in
                "\(error)".contains("etchome") && "\(error)".contains("/etc")
                    && "\(error)".contains("not a directory under /home")
            }
        }
        #expect(runner.calls.isEmpty)
        let etcAfter = try root.attributes("etc")
        #expect(etcAfter.uid == etcBefore.uid && etcAfter.gid == etcBefore.gid)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc/sudoers.d").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root.path + "/etc/.ssh"))
    }

    /// A home in /home that another account also has is not taken from it.
    @Test func aHomeSharedWithAnotherAccountIsNotTaken() async throws {
        let root = try PluginTestContext.makeRoot(users: ["cloud-user", "bob"])
        let passwd = try #require(root.read("etc/passwd"))
        try root.write(
            passwd.replacingOccurrences(of: ":/home/bob:", with: ":/home/cloud-user:"), to: "etc/passwd")
        if Program.isRoot { #expect(chown(root.path + "/home/cloud-user", 1001, 1001) == 0) }
        let owner = try root.attributes("home/cloud-user").uid
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root)
        for plugin in [UsersPlugin(), SSHKeysPlugin()] as [any Plugin] {
            await #expect("\(plugin.id)") { try await plugin.planAndApply(context) } throws: {
                "\($0)".contains("/home/cloud-user of cloud-user") && "\($0)".contains("also the home of bob")
            }
        }
        #expect(try root.attributes("home/cloud-user").uid == owner)
    }
}
