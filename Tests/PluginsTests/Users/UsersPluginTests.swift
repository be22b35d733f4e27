import AgentBase
import DataSources
import Foundation
import HostEffects
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
        #expect(try await UsersPlugin().describedPlan(context) == .apply(["create user ops in sudo"]))
        #expect(try await UsersPlugin().planAndApply(context) == .done)
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
        _ = try await UsersPlugin().planAndApply(
            PluginTestContext.context(metadata(admin: nil), root: root, runner: runner))
        #expect(runner.calls.first?.argv.contains("wheel") == true)
        var config = AgentConfig()
        config.groups = ["adm", "wheel"]
        let second = RecordingCommandRunner()
        _ = try await UsersPlugin().planAndApply(
            PluginTestContext.context(metadata(admin: nil), root: root, config: config, runner: second))
        #expect(second.calls.first?.argv.suffix(4) == ["--groups", "adm,wheel", "--", "cloud-user"])
    }

    @Test func unknownConfiguredGroupsAreANamedError() async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        var config = AgentConfig()
        config.groups = ["docker", "sudo"]
        let runner = RecordingCommandRunner()
        await #expect(throws: UserError.unknownGroups(["docker"], group: root.path + "/etc/group")) {
            try await UsersPlugin().planAndApply(
                PluginTestContext.context(metadata(admin: nil), root: root, config: config, runner: runner))
        }
        #expect(runner.calls.isEmpty)
    }

    @Test func anExistingUserIsReusedAndOnlyMissingGroupsAreAdded() async throws {
        let root = try PluginTestContext.makeRoot(users: ["cloud-user"])
        let runner = RecordingCommandRunner()
        _ = try await UsersPlugin().planAndApply(
            PluginTestContext.context(metadata(admin: nil), root: root, runner: runner))
        #expect(
            runner.calls.map(\.argv) == [
                ["usermod", "--root", root.path, "--append", "--groups", "sudo", "--", "cloud-user"]
            ])
        try root.write("root:x:0:\nsudo:x:27:cloud-user\ncloud-user:x:1000:\n", to: "etc/group")
        let again = RecordingCommandRunner()
        let context = PluginTestContext.context(metadata(admin: nil), root: root, runner: again)
        #expect(try await UsersPlugin().describedPlan(context) == .skip("user cloud-user exists with its groups"))
        _ = try await UsersPlugin().planAndApply(context)
        #expect(again.calls.isEmpty)
    }

    @Test func withoutAnAdminGroupASudoersDropInIsInstalled() async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        try root.write("root:x:0:\n", to: "etc/group")
        try FileManager.default.createDirectory(atPath: root.path + "/etc/sudoers.d", withIntermediateDirectories: true)
        let runner = RecordingCommandRunner()
        _ = try await UsersPlugin().planAndApply(
            PluginTestContext.context(metadata(admin: "ops"), root: root, runner: runner))
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
        _ = try await UsersPlugin().planAndApply(
            PluginTestContext.context(metadata(admin: "ops"), root: root, runner: runner))
        #expect(runner.calls.contains { $0.argv.first == "visudo" })
    }

    @Test(arguments: [
        ("bob; rm -rf /", "refusing user name 'bob; rm -rf /': it contains ' ' (\(AdminUser.allowedText))"),
        ("bob\nroot", "refusing user name 'bob\\u{a}root': it contains U+000A (\(AdminUser.allowedText))"),
        ("-o", "refusing user name '-o': it starts with '-' (tools would read it as an option)"),
        (
            String(repeating: "a", count: 40),
            "refusing user name '\(String(repeating: "a", count: 40))': it is longer than 32 bytes (the utmp limit)"
        ),
        ("root", "refusing user name 'root': it is a system account"),
        ("", "refusing user name '': it is empty"),
    ])
    func hostileNamesAreRefusedBeforeAnythingRuns(name: String, message: String) async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        let runner = RecordingCommandRunner()
        await #expect {
            try await UsersPlugin().planAndApply(
                PluginTestContext.context(metadata(admin: name), root: root, runner: runner))
        } throws: { "\($0)" == message }
        #expect(runner.calls.isEmpty)
    }

    /// Regression (issue 29): `Admin` (cloudbase-init's default user) was refused, though the
    /// image's useradd creates it. Only what is unsafe for the agent's own files and argv is
    /// refused; the rest is the image's useradd's to judge.
    @Test(arguments: [
        "Admin", "ADMIN", "ALL", "first.last", "svc_1", "a-b", "x$", "_x", "0day", "a+b", "a..b",
        String(repeating: "a", count: 32),
    ])
    func namesTheImagesUseraddMayAcceptAreLeftToIt(name: String) throws {
        #expect(try AdminUser.validate(name) == name)
    }

    @Test(arguments: [
        ("a:b", "it contains ':'"),
        ("a,b", "it contains ','"),
        ("#x", "it starts with '#'"),
        ("a/b", "it contains '/'"),
        ("a b", "it contains ' '"),
        ("a\tb", "it contains U+0009"),
        ("a\u{7F}b", "it contains U+007F"),
        ("a\u{A0}b", "it contains U+00A0"),
        ("\u{212A}im", "it contains U+212A"),
        ("-x", "it starts with '-'"),
        ("+x", "it starts with '+'"),
        ("123", "it is all digits"),
        (String(repeating: "a", count: 33), "it is longer than 32 bytes"),
        ("", "it is empty"),
        (".", "it is '.' or '..'"),
        ("..", "it is '.' or '..'"),
        ("nobody", "it is a system account"),
    ])
    func unsafeNamesAreRefusedSayingWhy(name: String, why: String) throws {
        #expect {
            try AdminUser.validate(name)
        } throws: { error in
            "\(error)".hasPrefix("refusing user name '") && "\(error)".contains(": " + why)
        }
    }

    /// Names sudoers would read as something else (the alias `ALL`, any upper-case alias) are
    /// written quoted in the drop-in, so the rule is for that one user; names it cannot
    /// quote (a leading '%', a '"' or '\\') are refused before anything runs.
    @Test(
        arguments: [
            ("ops", "ops ALL=(ALL:ALL) ALL\n"), ("ALL", "\"ALL\" ALL=(ALL:ALL) ALL\n"),
            ("Admin", "\"Admin\" ALL=(ALL:ALL) ALL\n"), ("first.last", "\"first.last\" ALL=(ALL:ALL) ALL\n"),
            ("%sudo", nil), ("a\"b", nil), ("a\\b", nil),
        ] as [(String, String?)])
    func theSudoersDropInNamesExactlyTheUser(name: String, line: String?) async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        try root.write("root:x:0:\n", to: "etc/group")
        try FileManager.default.createDirectory(atPath: root.path + "/etc/sudoers.d", withIntermediateDirectories: true)
        let runner = RecordingCommandRunner()
        let context = PluginTestContext.context(metadata(admin: name), root: root, runner: runner)
        guard let line else {
            await #expect { try await UsersPlugin().describedPlan(context) } throws: { "\($0)".contains("sudoers") }
            await #expect { try await UsersPlugin().planAndApply(context) } throws: { "\($0)".contains("sudoers") }
            #expect(runner.calls.isEmpty)
            return
        }
        #expect(try await UsersPlugin().planAndApply(context) == .done)
        #expect(root.read("etc/sudoers.d/90-guest-agent-users") == line)
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
        #expect(try await UsersPlugin().planAndApply(context) == .done)
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
        #expect(try await UsersPlugin().describedPlan(context) == .skip("user ga-test-admin exists with its groups"))

        // A real chpasswd --root, checked against the scratch shadow with the real crypt(3).
        let password = "Corr3ct-Horse_battery"
        try await PasswordSetter().setPassword(password, for: "ga-test-admin", context: context)
        let hash = try #require(try PasswordSetter().passwordHash(for: "ga-test-admin", root: SystemRoot(root.path)))
        #expect(hash.hasPrefix("$6$"))
        // Checked with the real openssl (independent of our crypt shim).
        let salt = String(hash.split(separator: "$")[1])
        let check = try await Program.tool(
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

    /// A real-tools root whose group files have neither `sudo` nor `wheel`, with an empty
    /// /etc/sudoers.d: the users plugin must write a sudoers drop-in there.
    static func rootWithoutAdminGroup() throws -> TemporaryDirectory {
        let root = try UsersRealToolsRoot.make()
        for file in ["etc/group", "etc/gshadow"] {
            guard let text = root.read(file) else { continue }
            let kept = text.split(separator: "\n").filter { !$0.hasPrefix("sudo:") && !$0.hasPrefix("wheel:") }
            try root.write(kept.joined(separator: "\n") + "\n", to: file)
        }
        try FileManager.default.createDirectory(atPath: root.path + "/etc/sudoers.d", withIntermediateDirectories: true)
        return root
    }

    @Test(
        .enabled(
            if: enabled && Program.which("visudo") != nil, "needs root, useradd and visudo: skipped (CI runs as root)"))
    func withoutAnAdminGroupTheRealVisudoChecksTheDropIn() async throws {
        // A target with neither sudo nor wheel: the plugin must fall back to a drop-in.
        let root = try Self.rootWithoutAdminGroup()
        var metadata = PluginTestContext.sampleMetadata()
        metadata.meta["admin_username"] = "ga-test-sudo"
        let context = PluginTestContext.context(metadata, root: root, runner: UsersRealToolsRoot.runner(for: root))
        #expect(try await UsersPlugin().planAndApply(context) == .done)

        let dropIn = root.path + "/etc/sudoers.d/90-guest-agent-users"
        #expect(root.read("etc/sudoers.d/90-guest-agent-users") == "ga-test-sudo ALL=(ALL:ALL) ALL\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc/sudoers.d") == [
                "90-guest-agent-users"
            ],
            "the checked candidate is removed")
        #expect(try await Program.tool("visudo", ["-c", "-q", "-f", dropIn]).status == 0)
        // The same check refuses a broken file, so the pass above means something.
        let broken = try root.write("ga-test-sudo ALL=(ALL:ALL\n", to: "broken-sudoers", mode: 0o440)
        #expect(try await Program.tool("visudo", ["-c", "-q", "-f", broken]).status != 0)
    }

    /// Regression (issue 29): `admin_username: Admin` was refused, though Debian's useradd
    /// creates it. Now the real useradd makes it, its keys are installed and its password set;
    /// a name that useradd refuses is reported with useradd's own message.
    @Test(.enabled(if: enabled, "needs root, useradd and chpasswd: skipped (CI runs as root)"))
    func anAdminNamedAdminIsCreatedByTheImagesUseradd() async throws {
        let root = try UsersRealToolsRoot.make()
        var metadata = PluginTestContext.sampleMetadata()
        metadata.meta["admin_username"] = "Admin"
        metadata.adminPassword = "Given-At-Boot-42"
        let context = PluginTestContext.context(metadata, root: root, runner: UsersRealToolsRoot.runner(for: root))
        #expect(try await UsersPlugin().planAndApply(context) == .done)
        #expect(try await PasswordPlugin().planAndApply(context) == .done)
        #expect(try await SSHKeysPlugin().planAndApply(context) == .done)
        let entry = try #require(try PasswdDatabase.lookUp("Admin", root: SystemRoot(root.path)))
        #expect(entry.home == "/home/Admin" && entry.uid >= 1000)
        let keys = try root.attributes("home/Admin/.ssh/authorized_keys")
        #expect(keys.uid == Int(entry.uid) && keys.mode == 0o600)
        #expect(root.read("home/Admin/.ssh/authorized_keys")?.contains("demo") == true)
        let hash = try #require(try PasswordSetter().passwordHash(for: "Admin", root: SystemRoot(root.path)))
        #expect(ShadowCrypt.verify("Given-At-Boot-42", against: hash))
        #expect(try await UsersPlugin().describedPlan(context) == .skip("user Admin exists with its groups"))

        // A leading '~' is not the agent's to refuse; Debian's useradd refuses it, and says so.
        metadata.meta["admin_username"] = "~admin"
        let refused = PluginTestContext.context(metadata, root: root, runner: UsersRealToolsRoot.runner(for: root))
        await #expect { try await UsersPlugin().planAndApply(refused) } throws: {
            "\($0)".contains("useradd: invalid user name '~admin'")
        }
    }

    /// A drop-in for a user named `ALL` is, for the real sudo, a rule for that user alone.
    @Test(
        .enabled(
            if: enabled && Program.which("visudo") != nil && Program.which("cvtsudoers") != nil,
            "needs root, useradd, visudo and cvtsudoers: skipped (CI runs as root)"))
    func aUserNamedALLGetsARuleForItselfOnly() async throws {
        let root = try Self.rootWithoutAdminGroup()
        var metadata = PluginTestContext.sampleMetadata()
        metadata.meta["admin_username"] = "ALL"
        let context = PluginTestContext.context(metadata, root: root, runner: UsersRealToolsRoot.runner(for: root))
        #expect(try await UsersPlugin().planAndApply(context) == .done)
        let dropIn = root.path + "/etc/sudoers.d/90-guest-agent-users"
        #expect(try await Program.tool("visudo", ["-c", "-q", "-f", dropIn]).status == 0)
        // cvtsudoers -m user=X keeps the rules that apply to X: none for root, one for ALL.
        #expect(
            try await Program.tool("cvtsudoers", ["-m", "user=root", "-f", "sudoers", dropIn]).standardOutput.isEmpty)
        // The same check finds the unquoted line, which would give every user sudo.
        let unquoted = try root.write("ALL ALL=(ALL:ALL) ALL\n", to: "unquoted-sudoers", mode: 0o440)
        #expect(
            !(try await Program.tool("cvtsudoers", ["-m", "user=root", "-f", "sudoers", unquoted]).standardOutput
                .isEmpty))
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
