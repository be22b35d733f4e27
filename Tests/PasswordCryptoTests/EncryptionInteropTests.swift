import Foundation
import PasswordCrypto
import TestSupport
import Testing

/// Our encryption against the real `openssl`, which is what `nova get-password` runs.
@Suite struct EncryptionInteropTests {
    @Test(arguments: [2048, 3072, 4096]) func opensslDecryptsWhatWeEncrypt(bits: Int) async throws {
        let work = try TemporaryDirectory()
        let key = try await KeyFactory.rsa(bits: bits, in: work)
        let password = try PasswordGenerator().generate()
        let ciphertext = try PasswordEncryptor().encrypt(password, with: try OpenSSHPublicKey(line: key.publicLine))
        #expect(!ciphertext.contains("\n"))
        #expect(ciphertext.count <= 1020)
        for keyPath in [key.pemPath, key.pkcs8Path] {
            let result = try await KeyFactory.opensslDecrypt(ciphertext, keyPath: keyPath)
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == password)
        }
        // And our own decryptor, from all three private key formats.
        for keyPath in [key.pemPath, key.pkcs8Path, key.opensshPath] {
            let decryptor = try PasswordDecryptor(privateKey: String(contentsOfFile: keyPath, encoding: .utf8))
            #expect(try decryptor.decrypt(ciphertext) == password)
        }
    }

    @Test(arguments: [(PasswordPadding.oaepSHA1, "sha1"), (.oaepSHA256, "sha256")])
    func oaepOptionsInteroperate(padding: PasswordPadding, digest: String) async throws {
        let work = try TemporaryDirectory()
        let key = try await KeyFactory.rsa(bits: 2048, in: work)
        let ciphertext = try PasswordEncryptor(padding: padding).encrypt(
            "S3cret-pass!", with: try OpenSSHPublicKey(line: key.publicLine))
        let result = try await KeyFactory.opensslDecrypt(
            ciphertext, keyPath: key.pemPath,
            options: ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:\(digest)"])
        #expect(result.standardOutput == "S3cret-pass!")
        // The legacy padding cannot read OAEP output: the two must never be confused.
        #expect(try await KeyFactory.opensslDecrypt(ciphertext, keyPath: key.pemPath).standardOutput != "S3cret-pass!")
    }

    @Test func weDecryptWhatOpensslEncrypts() async throws {
        let work = try TemporaryDirectory()
        let key = try await KeyFactory.rsa(bits: 2048, in: work)
        #expect(
            try await Program.tool("openssl", ["rsa", "-in", key.pemPath, "-pubout", "-out", work.path + "/pub.pem"])
                .status
                == 0)
        // Capture the raw bytes through a file: stdout as text would mangle binary.
        #expect(
            try await Program.tool(
                "sh",
                [
                    "-c",
                    "printf from-openssl | openssl pkeyutl -encrypt -pubin -inkey \"$1\" -pkeyopt rsa_padding_mode:pkcs1 | base64 -w0 > \"$2\"",
                    "sh", work.path + "/pub.pem", work.path + "/ct.b64",
                ]
            ).status == 0)
        let ciphertext = try String(contentsOfFile: work.path + "/ct.b64", encoding: .utf8)
        let decryptor = try PasswordDecryptor(privateKey: String(contentsOfFile: key.opensshPath, encoding: .utf8))
        #expect(try decryptor.decrypt("<Password>\r\n\(ciphertext)\r\n</Password>") == "from-openssl")
    }

    @Test func wrongKeysAndDamagedInputFailClearly() async throws {
        let work = try TemporaryDirectory()
        let key = try await KeyFactory.rsa(bits: 2048, in: work, name: "right")
        let other = try await KeyFactory.rsa(bits: 2048, in: work, name: "wrong")
        let ciphertext = try PasswordEncryptor().encrypt(
            "pw-123456789", with: try OpenSSHPublicKey(line: key.publicLine))
        let wrong = try PasswordDecryptor(privateKey: String(contentsOfFile: other.pemPath, encoding: .utf8))
        #expect(throws: PasswordDecryptionError.wrongKeyOrCorrupt) { try wrong.decrypt(ciphertext) }
        let right = try PasswordDecryptor(privateKey: String(contentsOfFile: key.pemPath, encoding: .utf8))
        #expect(throws: PasswordDecryptionError.notBase64) { try right.decrypt("%%%") }
        #expect(throws: PasswordDecryptionError.empty) { try right.decrypt(" \n") }
        #expect(throws: SSHKeyError.unrecognizedPrivateKey) { try PasswordDecryptor(privateKey: "hello") }
        // A passphrase-protected OpenSSH key is named as such.
        #expect(
            try await Program.tool(
                "ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "secret-phrase", "-f", work.path + "/locked"]
            ).status == 0)
        #expect(throws: SSHKeyError.encryptedPrivateKey) {
            try PasswordDecryptor(privateKey: String(contentsOfFile: work.path + "/locked", encoding: .utf8))
        }
    }

    @Test func keysTooLargeForNovaAreRefused() throws {
        // An 8192-bit ssh-rsa public key built by hand (no need to generate the private half).
        var blob = Data()
        func put(_ bytes: [UInt8]) {
            blob.append(contentsOf: withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init))
            blob.append(contentsOf: bytes)
        }
        put(Array("ssh-rsa".utf8))
        put([0x01, 0x00, 0x01])
        put([0x00, 0xC3] + (0..<1023).map { _ in UInt8.random(in: 0...255) })
        let key = try OpenSSHPublicKey(line: "ssh-rsa " + blob.base64EncodedString() + " huge")
        #expect(key.bits == 8192)
        #expect(throws: SSHKeyError.keyTooLarge(bits: 8192, maximum: 4096)) {
            try PasswordEncryptor().encrypt("pw", with: key)
        }
        let permissive = PasswordEncryptor(policy: RSAKeyPolicy(minimumBits: 2048, maximumBits: 16384))
        #expect(throws: PasswordEncryptionError.ciphertextTooLong(bits: 8192, characters: 1368)) {
            try permissive.encrypt("pw", with: key)
        }
    }
}
