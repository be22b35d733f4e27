import Foundation
import TestSupport
import Testing

@testable import Plugins

/// Every form of `users` cloud-init's `normalize_users_groups` reads (found by the schema
/// differential: `users: "default, alice"` was refused here and accepted there).
@Suite struct CloudConfigUsersFormsTests {
    static func users(_ yaml: String) throws -> [CloudConfig.User] {
        try CloudConfig(Data(("#cloud-config\n" + yaml).utf8)).users
    }

    @Test func aCommaSeparatedStringNamesUsers() throws {
        let users = try Self.users("users: \"default, alice,, bob \"\n")
        #expect(users.map(\.name) == ["default", "alice", "bob"])
        #expect(users.map(\.isDefault) == [true, false, false])
    }

    @Test func aMappingOfNamesToSettingsOrFlags() throws {
        let users = try Self.users(
            """
            users:
              carol: {shell: /bin/zsh, groups: [adm]}
              dave: true
              erin: false
            """)
        #expect(users.map(\.name) == ["carol", "dave"])
        #expect(users[0].shell == "/bin/zsh" && users[0].groups == ["adm"])
        #expect(users[1] == CloudConfig.User(name: "dave"))
        #expect(throws: CloudConfigError.type("users.frank", "a mapping of the user's settings, or true")) {
            try Self.users("users:\n  frank: [x]\n")
        }
    }

    @Test func listsOfNamesInsideTheList() throws {
        let users = try Self.users("users:\n  - [alice, bob]\n  - \"carol, dave\"\n  - default\n")
        #expect(users.map(\.name) == ["alice", "bob", "carol", "dave", "default"])
    }

    /// cloud-init turns every `-` in a user's keys into `_`.
    @Test func hyphenatedKeysAreTheUnderscoredOnes() throws {
        let users = try Self.users(
            """
            users:
              - name: alice
                lock-passwd: false
                plain-text-passwd: secret
                ssh-authorized-keys: [ssh-ed25519 AAAA one]
                ssh_authorized_keys: [ssh-ed25519 AAAA two]
            """)
        #expect(users[0].lockPasswd == false)
        #expect(users[0].plainTextPasswd == "secret")
        #expect(users[0].sshAuthorizedKeys.sorted() == ["ssh-ed25519 AAAA one", "ssh-ed25519 AAAA two"])
    }

    /// A name given twice is one user: the first entry's settings, or the later's when the
    /// first was only the name.
    @Test func aNameGivenTwiceIsOneUser() throws {
        let users = try Self.users(
            "users:\n  - alice\n  - name: alice\n    shell: /bin/sh\n  - name: alice\n    shell: /bin/zsh\n")
        #expect(users.count == 1)
        #expect(users[0].shell == "/bin/sh")
    }
}

/// Content that does not decode (cloud-init's own `write_files` example has base64 cut short
/// with "..."): cloud-init's schema accepts the document, so it is read, and only that entry
/// fails when written, naming it; the document's other keys apply.
@Suite(
    .serialized,
    .enabled(if: Program.isRoot, "needs root (bind mount, chroot): skipped; CI runs as root"))
struct CloudConfigUndecodableContentTests {
    @Test func onlyTheEntryFailsAndTheOtherKeysApply() async throws {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let yaml = """
            #cloud-config
            write_files:
              - path: /etc/broken
                encoding: b64
                content: "CiMgVGhpcyBmaWxl..."
              - path: /etc/fine
                content: fine
            hostname: still-applied
            """
        let boots = UserDataBoots(root: root.path, userData: Data(yaml.utf8))
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(
            record.error?.contains("write_files[0] /etc/broken: cloud-config write_files[0].content must be base64")
                == true, "\(record)")
        #expect(boots.read("/etc/broken") == nil)
        #expect(boots.read("/etc/fine") == "fine")
        #expect(boots.read("/etc/hostname") == "still-applied\n")
    }
}
