import FoundationEssentials
import _CryptoExtras

/// RSA padding for the published password.
public enum PasswordPadding: String, Sendable, CaseIterable {
    /// RSAES-PKCS1-v1_5: legacy, but the only padding `nova get-password`, `openssl rsautl`,
    /// gophercloud and `aws ec2 get-password-data` decrypt (docs/PROTOCOLS.md §4.2).
    case legacyPKCS1v15 = "pkcs1v15"
    case oaepSHA1 = "oaep-sha1"
    case oaepSHA256 = "oaep-sha256"

    var swiftCrypto: _RSA.Encryption.Padding {
        switch self {
        case .legacyPKCS1v15: ._WEAK_AND_INSECURE_PKCS_V1_5
        case .oaepSHA1: .PKCS1_OAEP
        case .oaepSHA256: .PKCS1_OAEP_SHA256
        }
    }
}

/// Encrypts a password with an ssh-rsa public key for publication.
public struct PasswordEncryptor: Sendable {
    /// nova stores at most 1020 characters (4 chunks of 255) of password data.
    public static let novaMaximumLength = 1020
    public let padding: PasswordPadding
    public let policy: RSAKeyPolicy

    public init(padding: PasswordPadding = .legacyPKCS1v15, policy: RSAKeyPolicy = .standard) {
        self.padding = padding
        self.policy = policy
    }

    /// Standard base64 (no line breaks) of the RSA ciphertext of the UTF-8 password.
    /// Refuses keys outside the policy, a password too long for the padding, and a result
    /// longer than nova's 1020-character limit (e.g. an 8192-bit key: 1368 characters).
    public func encrypt(_ password: String, with key: OpenSSHPublicKey) throws -> String {
        try policy.check(key)
        let modulusBytes = (key.bits + 7) / 8
        let encodedLength = 4 * ((modulusBytes + 2) / 3)
        guard encodedLength <= Self.novaMaximumLength else {
            throw PasswordEncryptionError.ciphertextTooLong(bits: key.bits, characters: encodedLength)
        }
        let publicKey: _RSA.Encryption.PublicKey
        do {
            publicKey = try _RSA.Encryption.PublicKey(n: key.modulus, e: key.exponent)
        } catch {
            throw PasswordEncryptionError.unusableKey("\(error)")
        }
        let plaintext = Data(password.utf8)
        guard plaintext.count <= publicKey.maximumEncryptSize(with: padding.swiftCrypto) else {
            throw PasswordEncryptionError.passwordTooLong(
                bytes: plaintext.count, maximum: publicKey.maximumEncryptSize(with: padding.swiftCrypto))
        }
        return try publicKey.encrypt(plaintext, padding: padding.swiftCrypto).base64EncodedString()
    }
}

public enum PasswordEncryptionError: Error, CustomStringConvertible, Equatable {
    case ciphertextTooLong(bits: Int, characters: Int)
    case passwordTooLong(bytes: Int, maximum: Int)
    case unusableKey(String)

    public var description: String {
        switch self {
        case .ciphertextTooLong(let bits, let characters):
            "a \(bits)-bit key gives \(characters) characters of ciphertext; nova accepts at most 1020 (keys up to 6120 bits)"
        case .passwordTooLong(let bytes, let maximum):
            "the password is \(bytes) bytes; this key and padding take at most \(maximum)"
        case .unusableKey(let why): "the RSA key cannot be used: \(why)"
        }
    }
}
