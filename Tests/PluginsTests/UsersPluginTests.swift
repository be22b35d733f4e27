import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

@Suite struct UsersPluginTests {
    func metadata(admin: String?) -> InstanceMetadata {
        var metadata = PluginTestContext.sampleMetadata()
        if let admin { metadata.meta["admin_username"] = admin }
        return metadata
    }

    @Test func createsTheUserWithTheAdminGroupUnderTheRoot() async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        let runner = RecordingCommandRunner()
        let context = PluginTestContext.context(metadata(admin: "ops"), root: root, runner: runner)
        #expect(try await UsersPlugin().plan(context) == .apply(["create user ops in sudo"]))
        #expect(try await UsersPlugin().apply(context) == .done)
        #expect(
            runner.calls.map(\.argv) == [
                [
                    "useradd", "--root", root.path, "--create-home", "--shell", "/bin/bash",
                    "--user-group", "--groups", "sudo", "--", "ops",
                ]
            ])
    }

    @Test func wheelIsUsedWhenThereIsNoSudoGroupAndConfiguredGroupsWin() async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        try root.write("root:x:0:\nwheel:x:10:\nadm:x:4:\n", to: "etc/group")
        let runner = RecordingCommandRunner()
        _ = try await UsersPlugin().apply(PluginTestContext.context(metadata(admin: nil), root: root, runner: runner))
        #expect(runner.calls.first?.argv.contains("wheel") == true)
        var config = AgentConfig()
        config.groups = ["adm", "wheel"]
        let second = RecordingCommandRunner()
        _ = try await UsersPlugin().apply(
            PluginTestContext.context(metadata(admin: nil), root: root, config: config, runner: second))
        #expect(second.calls.first?.argv.suffix(4) == ["--groups", "adm,wheel", "--", "cloud-user"])
    }

    @Test func unknownConfiguredGroupsAreANamedError() async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        var config = AgentConfig()
        config.groups = ["docker", "sudo"]
        let runner = RecordingCommandRunner()
        await #expect(throws: UserError.unknownGroups(["docker"], group: root.path + "/etc/group")) {
            try await UsersPlugin().apply(
                PluginTestContext.context(metadata(admin: nil), root: root, config: config, runner: runner))
        }
        #expect(runner.calls.isEmpty)
    }

    @Test func anExistingUserIsReusedAndOnlyMissingGroupsAreAdded() async throws {
        let root = try PluginTestContext.makeRoot(users: ["cloud-user"])
        let runner = RecordingCommandRunner()
        _ = try await UsersPlugin().apply(PluginTestContext.context(metadata(admin: nil), root: root, runner: runner))
        #expect(
            runner.calls.map(\.argv) == [
                ["usermod", "--root", root.path, "--append", "--groups", "sudo", "--", "cloud-user"]
            ])
        try root.write("root:x:0:\nsudo:x:27:cloud-user\ncloud-user:x:1000:\n", to: "etc/group")
        let again = RecordingCommandRunner()
        let context = PluginTestContext.context(metadata(admin: nil), root: root, runner: again)
        #expect(try await UsersPlugin().plan(context) == .skip("user cloud-user exists with its groups"))
        _ = try await UsersPlugin().apply(context)
        #expect(again.calls.isEmpty)
    }

    @Test func withoutAnAdminGroupASudoersDropInIsInstalled() async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        try root.write("root:x:0:\n", to: "etc/group")
        try FileManager.default.createDirectory(atPath: root.path + "/etc/sudoers.d", withIntermediateDirectories: true)
        let runner = RecordingCommandRunner()
        _ = try await UsersPlugin().apply(PluginTestContext.context(metadata(admin: "ops"), root: root, runner: runner))
        #expect(root.read("etc/sudoers.d/90-guest-agent-users") == "ops ALL=(ALL:ALL) ALL\n")
        #expect(try root.attributes("etc/sudoers.d/90-guest-agent-users").mode == 0o440)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc/sudoers.d") == [
                "90-guest-agent-users"
            ])
        // The scratch root has no visudo, so none is run, whatever this machine has.
        #expect(!runner.calls.contains { $0.argv.first == "visudo" })
    }

    @Test func theDropInIsCheckedWithTheRootsOwnVisudo() async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        try root.write("root:x:0:\n", to: "etc/group")
        try FileManager.default.createDirectory(atPath: root.path + "/etc/sudoers.d", withIntermediateDirectories: true)
        try root.write("#!/bin/sh\nexit 0\n", to: "usr/sbin/visudo", mode: 0o755)
        let runner = RecordingCommandRunner()
        _ = try await UsersPlugin().apply(PluginTestContext.context(metadata(admin: "ops"), root: root, runner: runner))
        #expect(runner.calls.contains { $0.argv.first == "visudo" })
    }

    @Test(arguments: [
        ("bob; rm -rf /", "refusing user name 'bob; rm -rf /': it contains ';' (allowed: a-z, 0-9, '_', '-')"),
        ("bob\nroot", "refusing user name 'bob\\u{a}root': it contains U+000A (allowed: a-z, 0-9, '_', '-')"),
        ("-o", "refusing user name '-o': it must start with a lower-case letter or '_'"),
        (
            String(repeating: "a", count: 40),
            "refusing user name '\(String(repeating: "a", count: 40))': it is longer than 32 characters"
        ),
        ("Root", "refusing user name 'Root': it must start with a lower-case letter or '_'"),
        ("root", "refusing user name 'root': it is a system account"),
        ("", "refusing user name '': it is empty"),
    ])
    func hostileNamesAreRefusedBeforeAnythingRuns(name: String, message: String) async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        let runner = RecordingCommandRunner()
        await #expect {
            try await UsersPlugin().apply(PluginTestContext.context(metadata(admin: name), root: root, runner: runner))
        } throws: { "\($0)" == message }
        #expect(runner.calls.isEmpty)
    }
}

/// `useradd --root` and `chpasswd --root` for real, in a scratch root.
@Suite(.serialized) struct UsersRealToolsTests {
    static var enabled: Bool { Program.isRoot && Program.which("useradd") != nil && Program.which("chpasswd") != nil }

    @Test(.enabled(if: enabled, "needs root, useradd and chpasswd: skipped (CI runs as root)"))
    func createsTheUserAndSetsAPasswordInTheScratchRootOnly() async throws {
        let hostFiles = try ["passwd", "shadow", "group"].map {
            try Data(contentsOf: URL(fileURLWithPath: "/etc/" + $0))
        }
        let root = try UsersRealToolsRoot.make()
        var metadata = PluginTestContext.sampleMetadata()
        metadata.meta["admin_username"] = "ga-test-admin"
        let logs = LogCapture()
        let context = PluginTestContext.context(
            metadata, root: root, runner: UsersRealToolsRoot.runner(for: root), logger: logs.logger())
        #expect(try await UsersPlugin().apply(context) == .done)
        let passwd = try #require(root.read("etc/passwd"))
        let line = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("ga-test-admin:") })
        let fields = line.split(separator: ":", omittingEmptySubsequences: false)
        #expect(fields[5] == "/home/ga-test-admin" && fields[6] == "/bin/bash")
        let home = try root.attributes("home/ga-test-admin")
        #expect(home.uid == Int(fields[2]))
        #expect(
            root.read("etc/group")?.split(separator: "\n").contains {
                $0.hasPrefix("sudo:") && $0.contains("ga-test-admin")
            } == true)

        // Second run: nothing to do, nothing changes.
        #expect(try await UsersPlugin().plan(context) == .skip("user ga-test-admin exists with its groups"))

        // A real chpasswd --root, checked against the scratch shadow with the real crypt(3).
        let password = "Corr3ct-Horse_battery"
        try await PasswordSetter().setPassword(password, for: "ga-test-admin", context: context)
        let hash = try #require(try PasswordSetter().passwordHash(for: "ga-test-admin", root: SystemRoot(root.path)))
        #expect(hash.hasPrefix("$6$"))
        // Checked with the real openssl (independent of our crypt shim).
        let salt = String(hash.split(separator: "$")[1])
        let check = try Program.tool(
            "openssl", ["passwd", "-6", "-salt", salt, "-stdin"], input: Data((password + "\n").utf8))
        #expect(check.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == hash)
        #expect(ShadowCrypt.verify(password, against: hash))
        #expect(!ShadowCrypt.verify("wrong", against: hash))
        #expect(!logs.text.contains(password))
        // The host's own databases are untouched.
        #expect(
            try ["passwd", "shadow", "group"].map { try Data(contentsOf: URL(fileURLWithPath: "/etc/" + $0)) }
                == hostFiles)
    }

    @Test(
        .enabled(
            if: enabled && Program.which("visudo") != nil, "needs root, useradd and visudo: skipped (CI runs as root)"))
    func withoutAnAdminGroupTheRealVisudoChecksTheDropIn() async throws {
        let root = try UsersRealToolsRoot.make()
        // A target with neither sudo nor wheel: the plugin must fall back to a drop-in.
        for file in ["etc/group", "etc/gshadow"] {
            guard let text = root.read(file) else { continue }
            let kept = text.split(separator: "\n").filter { !$0.hasPrefix("sudo:") && !$0.hasPrefix("wheel:") }
            try root.write(kept.joined(separator: "\n") + "\n", to: file)
        }
        try FileManager.default.createDirectory(atPath: root.path + "/etc/sudoers.d", withIntermediateDirectories: true)
        var metadata = PluginTestContext.sampleMetadata()
        metadata.meta["admin_username"] = "ga-test-sudo"
        let context = PluginTestContext.context(metadata, root: root, runner: UsersRealToolsRoot.runner(for: root))
        #expect(try await UsersPlugin().apply(context) == .done)

        let dropIn = root.path + "/etc/sudoers.d/90-guest-agent-users"
        #expect(root.read("etc/sudoers.d/90-guest-agent-users") == "ga-test-sudo ALL=(ALL:ALL) ALL\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc/sudoers.d") == [
                "90-guest-agent-users"
            ],
            "the checked candidate is removed")
        #expect(try Program.tool("visudo", ["-c", "-q", "-f", dropIn]).status == 0)
        // The same check refuses a broken file, so the pass above means something.
        let broken = try root.write("ga-test-sudo ALL=(ALL:ALL\n", to: "broken-sudoers", mode: 0o440)
        #expect(try Program.tool("visudo", ["-c", "-q", "-f", broken]).status != 0)
    }

    @Test func passwordsThatChpasswdCannotCarryAreRefusedWithoutEchoingThem() async throws {
        let root = try PluginTestContext.makeRoot()
        let runner = RecordingCommandRunner()
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)
        await #expect {
            try await PasswordSetter().setPassword("abc:def-secret", for: "cloud-user", context: context)
        } throws: { error in
            !"\(error)".contains("abc:def-secret")
        }
        #expect(runner.calls.isEmpty)
        try await PasswordSetter().setPassword("fine-Secret-1", for: "cloud-user", context: context)
        #expect(runner.calls.first?.argv == ["chpasswd", "--encrypted", "--root", root.path])
        let line = String(decoding: try #require(runner.calls.first?.standardInput), as: UTF8.self)
        #expect(line.hasPrefix("cloud-user:$6$") && line.hasSuffix("\n"))
        #expect(ShadowCrypt.verify("fine-Secret-1", against: String(line.dropFirst("cloud-user:".count).dropLast())))
    }
}
