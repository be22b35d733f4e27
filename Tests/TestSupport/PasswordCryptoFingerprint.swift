import PasswordCrypto

/// The fingerprint the password plugin keeps of a shadow entry, for crash-window tests.
public enum PasswordCryptoFingerprint {
    public static func of(_ text: String) -> String { Fingerprint.sha256Hex(text) }
}
