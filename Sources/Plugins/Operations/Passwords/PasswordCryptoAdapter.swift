import DataSources
import PasswordCrypto

/// The password plugin's one doorway into PasswordCrypto.
enum PasswordCryptoAdapter {
    /// The first usable ssh-rsa key, in the source's order.
    static func selectKey(_ keys: [PublicKeyEntry]) -> Result<OpenSSHPublicKey, PasswordKeySelection.NoUsableKey> {
        PasswordKeySelection.choose(keys.map { ($0.name, $0.line) }).map(\.key)
    }

    static func generate(length: Int) throws -> String {
        try PasswordGenerator(length: length).generate()
    }

    /// Base64 ciphertext with the configured `password_encryption` padding.
    static func encrypt(_ password: String, with key: OpenSSHPublicKey, padding: PasswordPadding) throws -> String {
        try PasswordEncryptor(padding: padding).encrypt(password, with: key)
    }

    static func fingerprint(_ text: String) -> String {
        Fingerprint.sha256Hex(text)
    }
}
