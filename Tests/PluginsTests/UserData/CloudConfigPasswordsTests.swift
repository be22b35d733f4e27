import DataSources
import Foundation
import PasswordCrypto
import TestSupport
import Testing

@testable import Plugins

/// cloud-config passwords and ssh_pwauth applied for real: the root's chpasswd and passwd
/// in a chroot scratch root, hashes checked against the clear text, expiry read from
/// /etc/shadow, and the sshd configuration read back by sshd itself (`sshd -T`).
@Suite(
    .serialized,
    .enabled(if: Program.isRoot, "needs root (bind mount, chroot, useradd --root): skipped; CI runs as root"))
struct CloudConfigPasswordsTests {
    /// The fields of `user`'s /etc/shadow line.
    static func shadow(_ boots: UserDataBoots, _ user: String) -> [String] {
        (boots.read("/etc/shadow") ?? "").split(separator: "\n").map {
            $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }.first { $0.first == user } ?? []
    }

    @Test func textHashAndRandomPasswordsAreSetExpiredAndTheRandomOneIsOnlyOnTheConsole() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let hash = try ShadowCrypt.hash("from-a-hash")
        let yaml = """
            #cloud-config
            users:
              - {name: alice, lock_passwd: false}
              - {name: bob, lock_passwd: false}
              - {name: carol, lock_passwd: false}
            chpasswd:
              users:
                - {name: alice, password: "Alice's pass", type: text}
                - {name: bob, password: '\(hash)'}
                - {name: carol, type: RANDOM}
            """
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let first = await boots.boot()
        #expect(first.status == .done, "\(first)")
        #expect(ShadowCrypt.verify("Alice's pass", against: Self.shadow(boots, "alice")[1]))
        #expect(Self.shadow(boots, "bob")[1] == hash)
        // cloud-init's console lines: a heading, then user:password.
        let index = try #require(
            boots.console.firstIndex(of: "Set the following 'random' passwords"), "\(boots.console)")
        let line = try #require(boots.console.dropFirst(index + 1).first)
        #expect(line.hasPrefix("carol:"))
        let random = String(line.dropFirst("carol:".count))
        #expect(random.count == CloudConfigPasswords.randomLength)
        #expect(ShadowCrypt.verify(random, against: Self.shadow(boots, "carol")[1]))
        // expire (the default): the last-change day is 0, so each must choose a new password.
        for user in ["alice", "bob", "carol"] { #expect(Self.shadow(boots, user)[2] == "0", "\(user)") }
        // Never in the log, the state or status.
        #expect(!boots.logs.text.contains(random) && !boots.logs.text.contains("Alice's pass"))
        let state = try FileManager.default.subpathsOfDirectory(atPath: root.path + "/var/lib/guest-agent")
            .compactMap { FileManager.default.contents(atPath: root.path + "/var/lib/guest-agent/" + $0) }
        #expect(!state.isEmpty)
        #expect(!state.contains { String(decoding: $0, as: UTF8.self).contains(random) })
        // A second boot of the same instance changes nothing.
        let before = boots.read("/etc/shadow")
        let second = await boots.boot()
        #expect(second.status != .failed, "\(second)")
        #expect(boots.read("/etc/shadow") == before)
    }

    @Test func expireFalseKeepsThePasswordValidAndPasswordIsTheDefaultUsers() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let yaml = "#cloud-config\nusers: [default]\npassword: proxmox-style\nchpasswd: {expire: False}\n"
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let first = await boots.boot()
        #expect(first.status == .done, "\(first)")
        let fields = Self.shadow(boots, AgentConfig().account.username)
        #expect(ShadowCrypt.verify("proxmox-style", against: fields[1]))
        #expect(fields[2] != "0")
    }

    /// The password plugin publishes the admin password when the instance has an ssh-rsa
    /// key: user data must not replace it behind `nova get-password`'s back.
    @Test func theAdminPasswordThePasswordPluginPublishesIsLeftAlone() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let work = try TemporaryDirectory()
        let key = try await KeyFactory.rsa(bits: 2048, in: work)
        let yaml = "#cloud-config\nusers: [default]\npassword: from-user-data\n"
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        boots.publicKeys = [PublicKeyEntry(name: "rsa", line: key.publicLine)]
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(
            record.error?.contains("left to the password plugin for \(AgentConfig().account.username)") == true,
            "\(record)")
        #expect(!ShadowCrypt.verify("from-user-data", against: Self.shadow(boots, AgentConfig().account.username)[1]))
        // Without the plugin, user data owns it.
        let other = try await ChrootScratchRoot()
        defer { other.close() }
        let owned = UserDataBoots(root: other.path, userData: Data(yaml.utf8))
        owned.publicKeys = boots.publicKeys
        owned.config.run.plugins = owned.config.run.plugins.filter { $0 != "password" }
        #expect(await owned.boot().status == .done)
        #expect(ShadowCrypt.verify("from-user-data", against: Self.shadow(owned, AgentConfig().account.username)[1]))
    }

    /// `users` entries with cloud-init's other spellings: plain_text_passwd (clear text,
    /// hashed here), hashed_passwd (passwd's newer name) and ssh-authorized-keys.
    @Test func userEntriesTakePlainTextAndHashedPasswordsAndTheDashedKeysSpelling() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let hash = try ShadowCrypt.hash("dora-pass")
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0mYq4Vx0t9YcKq3x0g1Y0R3u2cXmO9gS2m3YwQ1f1Q erin"
        let yaml = """
            #cloud-config
            users:
              - {name: dora, lock_passwd: false, hashed_passwd: '\(hash)'}
              - name: erin
                lock_passwd: false
                plain_text_passwd: erin-pass
                ssh-authorized-keys: ["\(key)"]
            """
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let record = await boots.boot()
        #expect(record.status == .done, "\(record)")
        #expect(Self.shadow(boots, "dora")[1] == hash)
        #expect(ShadowCrypt.verify("erin-pass", against: Self.shadow(boots, "erin")[1]))
        #expect(boots.read("/home/erin/.ssh/authorized_keys")?.contains(key) == true)
        #expect(!boots.logs.text.contains("erin-pass"))
    }

    @Test func aUserThatDoesNotExistFailsNamingItAndTheOthersAreSet() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let yaml = """
            #cloud-config
            users: [{name: alice, lock_passwd: false}]
            chpasswd: {expire: false, list: ["ghost:x-pass", "alice:alice-pass"]}
            """
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(record.error?.contains("passwords[0] (ghost)") == true, "\(record)")
        #expect(ShadowCrypt.verify("alice-pass", against: Self.shadow(boots, "alice")[1]))
    }
}

/// ssh_pwauth written where the image's own sshd reads it first, checked by `sshd -T`
/// (its effective configuration) with the scratch root's /etc/ssh bound over /etc/ssh in a
/// private mount namespace: this machine's /etc is untouched.
@Suite(
    .serialized,
    .enabled(
        if: Program.isRoot && SSHDEffectiveConfig.sshd != nil,
        "needs root and sshd (scripts/setup.sh unpacks it): skipped; CI runs as root"))
struct SSHPasswordAuthenticationTests {
    static let debianConfig = """
        Include /etc/ssh/sshd_config.d/*.conf
        KbdInteractiveAuthentication no
        UsePAM no
        X11Forwarding yes
        Subsystem sftp /usr/lib/openssh/sftp-server

        """

    func boot(_ root: ChrootScratchRoot, sshdConfig: String, dropIns: [String: String] = [:], yaml: String) async throws
        -> UserDataBoots
    {
        try FileManager.default.createDirectory(
            atPath: root.path + "/etc/ssh/sshd_config.d", withIntermediateDirectories: true)
        try sshdConfig.write(toFile: root.path + "/etc/ssh/sshd_config", atomically: true, encoding: .utf8)
        for (name, text) in dropIns {
            try text.write(toFile: root.path + "/etc/ssh/sshd_config.d/" + name, atomically: true, encoding: .utf8)
        }
        let pair = OpenSSHHostKeyPair.generate(.ed25519, comment: "root@test")
        try Data(pair.privateKeyFile.utf8).write(to: URL(fileURLWithPath: root.path + "/etc/ssh/ssh_host_ed25519_key"))
        chmod(root.path + "/etc/ssh/ssh_host_ed25519_key", 0o600)
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let record = await boots.boot()
        #expect(record.status == .done, "\(record)")
        return boots
    }

    @Test func aDropInBeatsTheImagesOwnWhenSshdConfigIncludesThem() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        // The image already says no (as cloud images do), in a drop-in sshd reads after ours.
        _ = try await boot(
            root, sshdConfig: Self.debianConfig, dropIns: ["50-cloud-init.conf": "PasswordAuthentication no\n"],
            yaml: "#cloud-config\nssh_pwauth: true\n")
        #expect(FileManager.default.fileExists(atPath: root.path + SSHDPasswordAuthentication.dropIn))
        let effective = try await SSHDEffectiveConfig.read(root: root.path)
        #expect(effective.contains("passwordauthentication yes"), "\(effective)")
        // The negative control: the same files without ours give what the image said.
        try FileManager.default.removeItem(atPath: root.path + SSHDPasswordAuthentication.dropIn)
        #expect(try await SSHDEffectiveConfig.read(root: root.path).contains("passwordauthentication no"))
    }

    @Test func withoutDropInsSshdConfigItselfIsEditedBeforeItsMatchBlock() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let config = "UsePAM no\nPasswordAuthentication yes\nMatch User nobody\n  X11Forwarding no\n"
        _ = try await boot(root, sshdConfig: config, yaml: "#cloud-config\nssh_pwauth: false\n")
        #expect(!FileManager.default.fileExists(atPath: root.path + SSHDPasswordAuthentication.dropIn))
        #expect(try await SSHDEffectiveConfig.read(root: root.path).contains("passwordauthentication no"))
        let added = "UsePAM no\nMatch User nobody\n  X11Forwarding no\n"
        let other = try await ChrootScratchRoot()
        defer { other.close() }
        _ = try await boot(other, sshdConfig: added, yaml: "#cloud-config\nssh_pwauth: no\n")
        let text = try String(contentsOfFile: other.path + "/etc/ssh/sshd_config", encoding: .utf8)
        #expect(text == "UsePAM no\nPasswordAuthentication no\nMatch User nobody\n  X11Forwarding no\n")
        #expect(try await SSHDEffectiveConfig.read(root: other.path).contains("passwordauthentication no"))
    }
}
