import Foundation
import PasswordCrypto
import TestSupport
import Testing

/// Generated garbage for the SSH key parsers (key lines come from metadata; private keys
/// and ciphertext from the `decrypt-password` command line). Each case must end in a value
/// or a typed error; a trap kills the test process. Fixed seeds: a failure reproduces.
@Suite struct PasswordCryptoGarbageInputTests {
    static let keys = BuiltProducts.repository.appendingPathComponent("fixtures/keys")

    /// An SSH wire string: a length (right, too long, or absurd) and bytes.
    static func wireString(_ content: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        let length = rng.chance(85) ? content.count : rng.pick([content.count + 1, 0xFFFF_FFFF, 0x8000_0000, 0])
        return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) } + content
    }

    /// An mpint: empty, zero-padded, negative, or 1 to 600 random bytes.
    static func mpint(_ rng: inout SplitMix64) -> [UInt8] {
        switch rng.below(6) {
        case 0: return []
        case 1: return [0, 0, 0] + rng.bytes(rng.int(in: 0...4))
        case 2: return [0x80] + rng.bytes(rng.int(in: 0...8))
        case 3: return [0] + [0x80 | UInt8(truncatingIfNeeded: rng.next())] + rng.bytes(rng.pick([255, 383, 511, 600]))
        default: return rng.bytes(rng.int(in: 1...16))
        }
    }

    /// An ssh-rsa blob: type string, exponent and modulus, each possibly damaged, then
    /// possibly trailing bytes; or plain random bytes.
    static func rsaBlob(_ rng: inout SplitMix64) -> [UInt8] {
        if rng.chance(10) { return rng.bytes(rng.int(in: 0...64)) }
        let type = Array(rng.pick(["ssh-rsa", "ssh-rsa", "ssh-ed25519", "", "ssh-rsa\0"]).utf8)
        var blob = wireString(type, &rng) + wireString(mpint(&rng), &rng) + wireString(mpint(&rng), &rng)
        if rng.chance(10) { blob += rng.bytes(rng.int(in: 1...8)) }
        if rng.chance(10) { blob = Array(blob.prefix(rng.below(blob.count + 1))) }
        return blob
    }

    static func keyLine(_ rng: inout SplitMix64) -> String {
        // A fifth are well formed with a random exponent and modulus, to reach encryption.
        if rng.chance(20) {
            let exponent = [UInt8(truncatingIfNeeded: rng.next() & 0x7F)] + rng.bytes(rng.below(3))
            let modulus = [0, 0x80 | UInt8(truncatingIfNeeded: rng.next())] + rng.bytes(rng.pick([255, 383, 511]))
            let blob = wireString(Array("ssh-rsa".utf8), &rng) + wireString(exponent, &rng) + wireString(modulus, &rng)
            return "ssh-rsa " + Data(blob).base64EncodedString() + " random@garbage"
        }
        let prefix = rng.pick([
            "", "no-pty ", "command=\"a b\" ", "command=\"unterminated ", "\"", "ssh-rsa-cert-v01@openssh.com ",
        ])
        let type = rng.pick(["ssh-rsa", "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-dss", "x", ""])
        let data = rng.chance(85) ? Data(rsaBlob(&rng)).base64EncodedString() : Garbage.text(&rng, maxAtoms: 4)
        let comment = rng.chance(50) ? " " + Garbage.text(&rng, maxAtoms: 4) : ""
        return rng.chance(5) ? Garbage.text(&rng) : prefix + type + rng.pick([" ", "\t", "  "]) + data + comment
    }

    @Test func publicKeyLinesParseOrAreRefusedByName() throws {
        var rng = SplitMix64(seed: 0x7373_682D_7273_61)
        var encrypted = 0
        for _ in 0..<2000 {
            let line = Self.keyLine(&rng)
            do {
                let key = try OpenSSHPublicKey(line: line)
                #expect(key.type == "ssh-rsa" && !key.modulus.isEmpty && !key.exponent.isEmpty && key.bits > 0)
                // Keys inside the policy go on to encryption (a garbage modulus must fail by name too).
                if (2048...4096).contains(key.bits), encrypted < 150 {
                    encrypted += 1
                    _ = try? PasswordEncryptor().encrypt("Pa55word!", with: key)
                }
            } catch {
                #expect(error is SSHKeyError, "\(error)")
            }
            switch PasswordKeySelection.choose([(name: Garbage.text(&rng, maxAtoms: 2), line: line)]) {
            case .success(let choice): #expect((2048...4096).contains(choice.key.bits))
            case .failure(let reasons): #expect(reasons.reasons.count == 1)
            }
        }
        #expect(encrypted > 10, "the generator should reach encryption now and then")
    }

    /// An `openssh-key-v1` private key with random fields, armoured.
    static func openSSHPrivateKey(_ rng: inout SplitMix64) -> String {
        var body = Array("openssh-key-v1\0".utf8)
        if rng.chance(5) { body = rng.bytes(15) }
        body += wireString(Array(rng.pick(["none", "none", "aes256-ctr"]).utf8), &rng)
        body += wireString(Array(rng.pick(["none", "none", "bcrypt"]).utf8), &rng)
        body += wireString([], &rng)
        body += [0, 0, 0, rng.chance(90) ? 1 : UInt8(truncatingIfNeeded: rng.next())]
        body += wireString(rsaBlob(&rng), &rng)
        let check = rng.bytes(4)
        var secret = check + (rng.chance(90) ? check : rng.bytes(4))
        secret += wireString(Array(rng.pick(["ssh-rsa", "ssh-ed25519"]).utf8), &rng)
        for _ in 0..<rng.int(in: 0...6) { secret += wireString(mpint(&rng), &rng) }
        body += wireString(secret, &rng)
        if rng.chance(10) { body = Array(body.prefix(rng.below(body.count + 1))) }
        let base64 =
            rng.chance(90) ? Data(body).base64EncodedString(options: .lineLength64Characters) : Garbage.text(&rng)
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n\(base64)\n-----END OPENSSH PRIVATE KEY-----\n"
    }

    @Test func privateKeysAndCiphertextsFromTheCommandLine() throws {
        var rng = SplitMix64(seed: 0x7072_6976_6B65_79)
        for _ in 0..<400 {
            let text: String
            switch rng.below(5) {
            case 0: text = Garbage.text(&rng)
            case 1:
                text =
                    "-----BEGIN RSA PRIVATE KEY-----\n" + Data(rng.bytes(rng.int(in: 0...600))).base64EncodedString()
                    + "\n-----END RSA PRIVATE KEY-----\n"
            case 2: text = "-----END OPENSSH PRIVATE KEY-----\n-----BEGIN OPENSSH PRIVATE KEY-----\n"
            default: text = Self.openSSHPrivateKey(&rng)
            }
            do {
                _ = try PasswordDecryptor(privateKey: text)
            } catch {
                #expect(error is SSHKeyError, "\(error)")
            }
        }
        let decryptor = try PasswordDecryptor(
            privateKey: String(contentsOf: Self.keys.appendingPathComponent("demo_rsa.openssh"), encoding: .utf8))
        for _ in 0..<60 {
            let base64 = Data(rng.bytes(rng.pick([0, 1, 255, 256, 257, 512]))).base64EncodedString()
            let published =
                rng.pick(["", "<Password>", "</Password><Password>", " \n"])
                + (rng.chance(80) ? base64 : Garbage.text(&rng))
                + rng.pick(["", "</Password>", "<Password>"])
            do {
                _ = try decryptor.decrypt(published, padding: rng.pick(PasswordPadding.allCases))
            } catch {
                #expect(error is PasswordDecryptionError, "\(error)")
            }
        }
    }
}
