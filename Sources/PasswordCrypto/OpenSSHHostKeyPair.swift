import Crypto
import FoundationEssentials

/// An SSH key pair made in-process, written in OpenSSH's own formats so that sshd and
/// ssh-keygen read it as one of theirs: the private key as `openssh-key-v1` (OpenSSH's
/// PROTOCOL.key: unencrypted, cipher and KDF "none"), the public key as the `.pub` line.
///
/// Why not ssh-keygen: a host key is on the path to SSH at every first boot, and a process
/// start per key (plus one more for the fingerprint) costs more than making the key. Only
/// Ed25519 and ECDSA P-256 (ssh-keygen's `-t ecdsa` default) are made here; RSA stays
/// with ssh-keygen.
public struct OpenSSHHostKeyPair: Sendable {
    public enum Algorithm: Sendable {
        case ed25519, ecdsaP256

        /// The key type name in the wire format and the `.pub` line.
        var keyType: String {
            switch self {
            case .ed25519: "ssh-ed25519"
            case .ecdsaP256: "ecdsa-sha2-nistp256"
            }
        }

        /// The name ssh-keygen -l shows in parentheses.
        var listingName: String {
            switch self {
            case .ed25519: "ED25519"
            case .ecdsaP256: "ECDSA"
            }
        }
    }

    public let algorithm: Algorithm
    public let comment: String
    /// The public key in the wire format (the base64 part of the `.pub` line).
    let publicBlob: [UInt8]
    /// The private key file, PEM-armoured `openssh-key-v1`.
    public let privateKeyFile: String

    /// A new key pair from the system's random generator (BoringSSL's, seeded by getrandom).
    public static func generate(_ algorithm: Algorithm, comment: String) -> OpenSSHHostKeyPair {
        var publicKey = SSHWireWriter()
        var privateFields = SSHWireWriter()
        switch algorithm {
        case .ed25519:
            let key = Curve25519.Signing.PrivateKey()
            let publicBytes = Array(key.publicKey.rawRepresentation)
            publicKey.string(algorithm.keyType)
            publicKey.string(publicBytes)
            privateFields.string(algorithm.keyType)
            privateFields.string(publicBytes)
            // OpenSSH keeps the 32-byte seed followed by the public key as "the private key".
            privateFields.string(Array(key.rawRepresentation) + publicBytes)
        case .ecdsaP256:
            let key = P256.Signing.PrivateKey()
            let point = Array(key.publicKey.x963Representation)  // 04 || X || Y
            publicKey.string(algorithm.keyType)
            publicKey.string("nistp256")
            publicKey.string(point)
            privateFields.string(algorithm.keyType)
            privateFields.string("nistp256")
            privateFields.string(point)
            privateFields.unsignedMPInt(Array(key.rawRepresentation))
        }
        let blob = publicKey.bytes
        return OpenSSHHostKeyPair(
            algorithm: algorithm, comment: comment, publicBlob: blob,
            privateKeyFile: Self.armoured(publicBlob: blob, privateFields: privateFields.bytes, comment: comment))
    }

    /// The `.pub` file's line: `TYPE BASE64 COMMENT`.
    public var publicKeyLine: String {
        "\(algorithm.keyType) \(Data(publicBlob).base64EncodedString()) \(comment)"
    }

    /// What `ssh-keygen -l -E sha256 -f KEY.pub` prints: bits, `SHA256:` and the unpadded
    /// base64 of the SHA-256 of the public blob, the comment, the type.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: publicBlob)).base64EncodedString().filter { $0 != "=" }
        return "256 SHA256:\(digest) \(comment) (\(algorithm.listingName))"
    }

    /// `openssh-key-v1`: magic, cipher "none", KDF "none", empty KDF options, one key, its
    /// public blob, then the private section: a random check integer twice, the private
    /// fields, the comment, and padding 1, 2, 3... to the 8-byte block of cipher "none".
    private static func armoured(publicBlob: [UInt8], privateFields: [UInt8], comment: String) -> String {
        var section = SSHWireWriter()
        let check = UInt32.random(in: 0...UInt32.max)
        section.uint32(check)
        section.uint32(check)
        section.raw(privateFields)
        section.string(comment)
        var padded = section.bytes
        var pad: UInt8 = 1
        while padded.count % 8 != 0 {
            padded.append(pad)
            pad += 1
        }
        var file = SSHWireWriter()
        file.raw(Array("openssh-key-v1".utf8) + [0])
        file.string("none")
        file.string("none")
        file.string([UInt8]())
        file.uint32(1)
        file.string(publicBlob)
        file.string(padded)
        // ssh-keygen wraps the base64 at 70 columns.
        let text = Data(file.bytes).base64EncodedString()
        var lines = ["-----BEGIN OPENSSH PRIVATE KEY-----"]
        var index = text.startIndex
        while index < text.endIndex {
            let end = text.index(index, offsetBy: 70, limitedBy: text.endIndex) ?? text.endIndex
            lines.append(String(text[index..<end]))
            index = end
        }
        lines.append("-----END OPENSSH PRIVATE KEY-----")
        return lines.joined(separator: "\n") + "\n"
    }
}
