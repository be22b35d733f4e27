import FoundationEssentials
import _CryptoExtras

/// Recovers a published password with the instance key pair's private key, like
/// `nova get-password` (which pipes into `openssl rsautl -decrypt`; docs/PROTOCOLS.md §4.2).
public struct PasswordDecryptor {
    let key: _RSA.Encryption.PrivateKey

    /// Reads an RSA private key in PEM PKCS#1 (`BEGIN RSA PRIVATE KEY`), PKCS#8
    /// (`BEGIN PRIVATE KEY`) or unencrypted OpenSSH (`BEGIN OPENSSH PRIVATE KEY`) format.
    public init(privateKey text: String) throws {
        do {
            if text.contains(OpenSSHPrivateKey.begin) {
                let parts = try OpenSSHPrivateKey(pem: text)
                key = try _RSA.Encryption.PrivateKey(n: parts.n, e: parts.e, d: parts.d, p: parts.p, q: parts.q)
            } else if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")
            {
                throw SSHKeyError.encryptedPrivateKey
            } else {
                key = try _RSA.Encryption.PrivateKey(unsafePEMRepresentation: text)
            }
        } catch let error as SSHKeyError {
            throw error
        } catch {
            throw SSHKeyError.unrecognizedPrivateKey
        }
    }

    /// Decrypts base64 ciphertext as published (whitespace and EC2's `<Password>` tags
    /// tolerated) and returns the UTF-8 password.
    ///
    /// Why the UTF-8 check matters: OpenSSL 3.2+ answers a wrong key or corrupt data for
    /// PKCS#1 v1.5 with pseudo-random bytes instead of an error (implicit rejection); a
    /// result that is not clean UTF-8 text is reported as a failure, never returned.
    public func decrypt(_ published: String, padding: PasswordPadding = .legacyPKCS1v15) throws -> String {
        var text = published
        if let open = text.firstRange(of: "<Password>"), let close = text.firstRange(of: "</Password>"),
            open.upperBound <= close.lowerBound
        {
            text = String(text[open.upperBound..<close.lowerBound])
        }
        let compact = text.filter { !$0.isWhitespace }
        guard !compact.isEmpty else { throw PasswordDecryptionError.empty }
        guard let ciphertext = Data(base64Encoded: compact) else { throw PasswordDecryptionError.notBase64 }
        let plaintext: Data
        do {
            plaintext = try key.decrypt(ciphertext, padding: padding.swiftCrypto)
        } catch {
            throw PasswordDecryptionError.wrongKeyOrCorrupt
        }
        guard let password = String(data: plaintext, encoding: .utf8),
            !password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw PasswordDecryptionError.wrongKeyOrCorrupt
        }
        return password
    }
}

public enum PasswordDecryptionError: Error, CustomStringConvertible, Equatable {
    case empty, notBase64, wrongKeyOrCorrupt
    public var description: String {
        switch self {
        case .empty: "there is no encrypted password (the input is empty)"
        case .notBase64: "the encrypted password is not valid base64"
        case .wrongKeyOrCorrupt: "decryption failed: wrong private key, wrong padding or corrupt ciphertext"
        }
    }
}
