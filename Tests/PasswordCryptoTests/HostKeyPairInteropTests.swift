import Foundation
import PasswordCrypto
import TestSupport
import Testing

/// Keys made in-process must be OpenSSH's own to every OpenSSH tool: ssh-keygen lists the
/// `.pub` with our fingerprint, derives our public line from our private key file, and
/// signs with it (issue 31: host keys off the critical path).
@Suite struct HostKeyPairInteropTests {
    static let enabled = Program.which("ssh-keygen") != nil

    @Test(
        .enabled(if: enabled, "needs ssh-keygen (openssh-client; scripts/setup.sh installs it)"),
        arguments: [OpenSSHHostKeyPair.Algorithm.ed25519, .ecdsaP256])
    func sshKeygenReadsTheKeyPairAsItsOwn(algorithm: OpenSSHHostKeyPair.Algorithm) async throws {
        let work = try TemporaryDirectory()
        for round in 0..<8 {  // several keys: mpint sign bytes and padding lengths vary
            let pair = OpenSSHHostKeyPair.generate(algorithm, comment: "root@instance-\(round)")
            let privatePath = try work.write(pair.privateKeyFile, to: "key-\(round)", mode: 0o600)
            let publicPath = try work.write(pair.publicKeyLine + "\n", to: "key-\(round).pub")

            let listed = try await Program.tool("ssh-keygen", ["-l", "-E", "sha256", "-f", publicPath])
            #expect(listed.status == 0, "\(listed.standardError)")
            #expect(listed.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == pair.fingerprint)

            let derived = try await Program.tool("ssh-keygen", ["-y", "-f", privatePath])
            #expect(derived.status == 0, "\(derived.standardError)")
            let derivedKey = derived.standardOutput.split(separator: " ").prefix(2).joined(separator: " ")
            let ourKey = pair.publicKeyLine.split(separator: " ").prefix(2).joined(separator: " ")
            #expect(derivedKey == ourKey)

            // The private key listed from its own file gives the same fingerprint and comment.
            let fromPrivate = try await Program.tool("ssh-keygen", ["-l", "-E", "sha256", "-f", privatePath])
            #expect(fromPrivate.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == pair.fingerprint)

            // A signature made with the private key verifies against the public one.
            let message = try work.write("signed by round \(round)\n", to: "message-\(round)")
            let sign = try await Program.tool("ssh-keygen", ["-Y", "sign", "-f", privatePath, "-n", "file", message])
            #expect(sign.status == 0, "\(sign.standardError)")
            let signers = try work.write("host \(pair.publicKeyLine)\n", to: "signers-\(round)")
            let verify = try await Program.run(
                try #require(Program.which("ssh-keygen")),
                ["-Y", "verify", "-f", signers, "-I", "host", "-n", "file", "-s", message + ".sig"],
                input: Data("signed by round \(round)\n".utf8))
            #expect(verify.status == 0, "\(verify.standardOutput) \(verify.standardError)")
        }
    }

    @Test func twoKeysAreNeverTheSame() {
        let first = OpenSSHHostKeyPair.generate(.ed25519, comment: "a")
        let second = OpenSSHHostKeyPair.generate(.ed25519, comment: "a")
        #expect(first.publicKeyLine != second.publicKeyLine)
        #expect(first.privateKeyFile.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n"))
        #expect(first.privateKeyFile.hasSuffix("\n-----END OPENSSH PRIVATE KEY-----\n"))
        #expect(first.privateKeyFile.split(separator: "\n").dropFirst().dropLast().allSatisfy { $0.count <= 70 })
    }

    static var sshd: String? { SSHDEffectiveConfig.sshd }

    /// `sshd -t` with our keys as its host keys: the daemon itself loads them. It needs its
    /// privilege separation user and directory, given in a private mount namespace (a
    /// passwd bound over /etc/passwd there, a tmpfs /run): this machine's /etc is untouched.
    @Test(.enabled(if: Program.isRoot && sshd != nil, "needs root and sshd (scripts/setup.sh unpacks it)"))
    func sshdLoadsTheKeysAsHostKeys() async throws {
        let work = try TemporaryDirectory()
        let sshd = try #require(Self.sshd)
        var config = "UsePAM no\n"
        for algorithm in [OpenSSHHostKeyPair.Algorithm.ed25519, .ecdsaP256] {
            let pair = OpenSSHHostKeyPair.generate(algorithm, comment: "root@instance")
            let path = try work.write(pair.privateKeyFile, to: "host_\(algorithm)", mode: 0o600)
            try work.write(pair.publicKeyLine + "\n", to: "host_\(algorithm).pub")
            config += "HostKey \(path)\n"
        }
        let good = try work.write(config, to: "sshd_config")
        // A negative control: the same file with one base64 character of the key changed.
        let broken = try work.path + "/host_broken"
        var text = try String(contentsOfFile: work.path + "/host_ed25519", encoding: .utf8)
        let target = text.index(text.startIndex, offsetBy: 120)
        text.replaceSubrange(target...target, with: text[target] == "A" ? "B" : "A")
        try text.write(toFile: broken, atomically: true, encoding: .utf8)
        chmod(broken, 0o600)
        let bad = try work.write("UsePAM no\nHostKey \(broken)\n", to: "sshd_config_broken")

        func check(_ config: String) async throws -> ProgramResult {
            let script = """
                cp /etc/passwd "$1/passwd" && echo 'sshd:x:999:65534::/run/sshd:/usr/sbin/nologin' >> "$1/passwd" \\
                && mount --bind "$1/passwd" /etc/passwd && mount -t tmpfs none /run && mkdir -p /run/sshd \\
                && exec "$2" -t -f "$3"
                """
            return try await Program.tool(
                "unshare", ["--mount", "--propagation", "private", "sh", "-c", script, "sh", work.path, sshd, config])
        }
        let accepted = try await check(good)
        #expect(accepted.status == 0, "\(accepted.standardError)")
        let refused = try await check(bad)
        #expect(refused.status != 0, "sshd -t accepted a corrupted key: the check proves nothing")
    }
}
