import Foundation
import PasswordCrypto
import TestSupport
import Testing

@Suite struct PublicKeyParsingTests {
    @Test(arguments: [2048, 3072, 4096]) func realRSAKeysParse(bits: Int) async throws {
        let work = try TemporaryDirectory()
        let key = try await KeyFactory.rsa(bits: bits, in: work)
        let parsed = try OpenSSHPublicKey(line: key.publicLine)
        #expect(parsed.type == "ssh-rsa")
        #expect(parsed.bits == bits)
        #expect(parsed.exponent == [0x01, 0x00, 0x01])
        #expect(parsed.comment == "test-\(bits)")
    }

    @Test func optionsPrefixIsSkipped() async throws {
        let work = try TemporaryDirectory()
        let key = try await KeyFactory.rsa(bits: 2048, in: work)
        let parsed = try OpenSSHPublicKey(line: "no-pty,command=\"echo ssh-rsa x\" " + key.publicLine)
        #expect(parsed.bits == 2048)
    }

    @Test(arguments: ["ed25519", "ecdsa", "dsa"]) func otherTypesAreNamed(type: String) async throws {
        let work = try TemporaryDirectory()
        // dsa may be disabled in this machine's ssh-keygen.
        guard let line = try? await KeyFactory.publicLine(type: type, in: work) else { return }
        let word = String(line.split(separator: " ")[0])
        #expect { try OpenSSHPublicKey(line: line) } throws: { error in
            "\(error)".hasPrefix("'\(word)' is ") && "\(error)".hasSuffix("only ssh-rsa keys can encrypt a password")
        }
    }

    @Test func hostileLines() async throws {
        let work = try TemporaryDirectory()
        let rsa = try await KeyFactory.rsa(bits: 2048, in: work)
        let fields = rsa.publicLine.split(separator: " ")
        let blob = String(fields[1])
        let ed = try await KeyFactory.publicLine(type: "ed25519", in: work).split(separator: " ")[1]
        #expect(throws: SSHKeyError.empty) { try OpenSSHPublicKey(line: "  \n") }
        #expect(throws: SSHKeyError.notBase64) { try OpenSSHPublicKey(line: "ssh-rsa !!!notbase64 x") }
        #expect(throws: SSHKeyError.truncated) {
            try OpenSSHPublicKey(line: "ssh-rsa " + Data(Data(base64Encoded: blob)!.prefix(40)).base64EncodedString())
        }
        #expect(throws: SSHKeyError.typeMismatch(declared: "ssh-rsa", blob: "ssh-ed25519")) {
            try OpenSSHPublicKey(line: "ssh-rsa \(ed) x")
        }
        #expect(throws: SSHKeyError.unsupportedType("ssh-rsa-cert-v01@openssh.com")) {
            try OpenSSHPublicKey(line: "ssh-rsa-cert-v01@openssh.com \(blob)")
        }
        #expect(throws: SSHKeyError.truncated) { try OpenSSHPublicKey(line: "ssh-rsa") }
        var trailing = Data(base64Encoded: blob)!
        trailing.append(contentsOf: [1, 2, 3])
        #expect(throws: SSHKeyError.malformed("trailing bytes after the modulus")) {
            try OpenSSHPublicKey(line: "ssh-rsa " + trailing.base64EncodedString())
        }
    }

    @Test func selectionTakesTheFirstUsableRSAKeyAndSaysWhyOthersWereSkipped() async throws {
        let work = try TemporaryDirectory()
        let ed = try await KeyFactory.publicLine(type: "ed25519", in: work)
        let small = try await KeyFactory.rsa(bits: 1024, in: work)
        let good = try await KeyFactory.rsa(bits: 2048, in: work)
        let other = try await KeyFactory.rsa(bits: 3072, in: work)
        let choice = try PasswordKeySelection.choose([
            ("ed", ed), ("small", small.publicLine), ("good", good.publicLine), ("other", other.publicLine),
        ]).get()
        #expect(choice.name == "good")
        #expect(choice.skipped.count == 2)
        #expect(choice.skipped[1] == "key 'small': the RSA key has 1024 bits; at least 2048 are required")
        #expect(throws: PasswordKeySelection.NoUsableKey.self) { try PasswordKeySelection.choose([("ed", ed)]).get() }
    }
}
