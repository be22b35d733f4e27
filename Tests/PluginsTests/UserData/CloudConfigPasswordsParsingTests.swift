import Foundation
import Testing

@testable import Plugins

/// cloud-config `password`, `chpasswd` and `ssh_pwauth` read as cloud-init 22.4's
/// set_passwords module reads them (pure; applied for real in CloudConfigPasswordsTests).
@Suite struct CloudConfigPasswordsParsingTests {
    static let hash =
        "$6$rounds=4096$5DJ8a9WMTEzIo5J4$Yms6imfeBvf3Yfu84mQBerh18l7OR1Wm1BJXZqFSpJ6BVas0AYJqIjP7czkOaAZHZi1kxQ5Y1IhgWN8K9NgxR1"

    static func config(_ yaml: String) throws -> CloudConfig { try CloudConfig(Data(("#cloud-config\n" + yaml).utf8)) }

    @Test func passwordIsTheDefaultUsersAndExpiresByDefault() throws {
        let config = try Self.config("password: s3cret-Pass\n")
        #expect(config.passwords.entries == [.init(user: nil, value: .text("s3cret-Pass"))])
        #expect(config.passwords.expire)
        #expect(try Self.config("password: RANDOM\n").passwords.entries == [.init(user: nil, value: .random)])
        #expect(try Self.config("password: R\n").passwords.entries == [.init(user: nil, value: .random)])
        #expect(
            try Self.config("password: '\(Self.hash)'\n").passwords.entries == [
                .init(user: nil, value: .hash(Self.hash))
            ])
    }

    /// cloud-init's own documentation example for `chpasswd.users`.
    @Test func chpasswdUsersWithTheirTypes() throws {
        let config = try Self.config(
            """
            ssh_pwauth: false
            chpasswd:
              expire: false
              users:
                - name: user1
                  password: password1
                  type: text
                - name: user2
                  password: \(Self.hash)
                - name: user3
                  type: RANDOM
            password: ignored-when-chpasswd-names-users
            """)
        #expect(
            config.passwords.entries == [
                .init(user: "user1", value: .text("password1")), .init(user: "user2", value: .hash(Self.hash)),
                .init(user: "user3", value: .random),
            ])
        #expect(!config.passwords.expire)
        #expect(config.sshPasswordAuthentication == false)
        #expect(config.unknownKeys.isEmpty)
    }

    @Test func theLegacyListAsTextOrList() throws {
        let expected: [CloudConfig.PasswordEntry] = [
            .init(user: "a", value: .text("pass:with:colons")), .init(user: "b", value: .hash(Self.hash)),
            .init(user: "c", value: .random), .init(user: "d", value: .random),
        ]
        let text = try Self.config(
            "chpasswd:\n  list: |\n    a:pass:with:colons\n    b:\(Self.hash)\n    c:R\n    d:RANDOM\n")
        #expect(text.passwords.entries == expected)
        let list = try Self.config(
            "chpasswd:\n  list:\n    - a:pass:with:colons\n    - b:\(Self.hash)\n    - c:R\n    - d:RANDOM\n")
        #expect(list.passwords.entries == expected)
    }

    @Test func wrongShapesNameTheKey() {
        #expect(throws: CloudConfigError.type("chpasswd.users[0].type", "hash, text or RANDOM, not 'plain'")) {
            try Self.config("chpasswd:\n  users:\n    - {name: a, password: x, type: plain}\n")
        }
        #expect(
            throws: CloudConfigError.type(
                "chpasswd.users[0].password", "a crypt(3) hash such as $6$... (type hash, the default)")
        ) {
            try Self.config("chpasswd:\n  users:\n    - {name: a, password: clear-text}\n")
        }
        #expect(throws: CloudConfigError.type("chpasswd.list[0]", "user:password")) {
            try Self.config("chpasswd:\n  list: [nocolon]\n")
        }
        #expect(throws: CloudConfigError.type("ssh_pwauth", "true or false")) { try Self.config("ssh_pwauth: maybe\n") }
    }

    @Test func sshPwauthValues() throws {
        #expect(try Self.config("ssh_pwauth: true\n").sshPasswordAuthentication == true)
        #expect(try Self.config("ssh_pwauth: no\n").sshPasswordAuthentication == false)
        #expect(try Self.config("ssh_pwauth: unchanged\n").sshPasswordAuthentication == nil)
        #expect(try Self.config("hostname: x\n").sshPasswordAuthentication == nil)
    }

    @Test func sshdConfigIsEditedInItsGlobalSection() {
        let lines = [
            "Port 22", "#PasswordAuthentication yes", "PasswordAuthentication yes", "Match User backup",
            "  PasswordAuthentication yes", "",
        ]
        #expect(
            SSHDPasswordAuthentication.setting(lines, to: "no") == [
                "Port 22", "#PasswordAuthentication yes", "PasswordAuthentication no", "Match User backup",
                "  PasswordAuthentication yes", "",
            ])
        // None global: added before the first Match, where it applies to every connection.
        #expect(
            SSHDPasswordAuthentication.setting(["Port 22", "Match all", "  X11Forwarding no"], to: "yes") == [
                "Port 22", "PasswordAuthentication yes", "Match all", "  X11Forwarding no",
            ])
        #expect(
            SSHDPasswordAuthentication.setting(["Port 22", ""], to: "yes") == [
                "Port 22", "PasswordAuthentication yes", "",
            ])
    }

    @Test func dropInsCountOnlyWhenIncludedBeforeAnyMatch() {
        #expect(SSHDPasswordAuthentication.includesDropIns(["Include /etc/ssh/sshd_config.d/*.conf", "Port 22"]))
        #expect(SSHDPasswordAuthentication.includesDropIns(["include sshd_config.d/*.conf"]))
        #expect(!SSHDPasswordAuthentication.includesDropIns(["# Include /etc/ssh/sshd_config.d/*.conf"]))
        #expect(!SSHDPasswordAuthentication.includesDropIns(["Match all", "Include /etc/ssh/sshd_config.d/*.conf"]))
        #expect(!SSHDPasswordAuthentication.includesDropIns(["Include /etc/ssh/other/*.conf"]))
    }
}
