import HostEffects
import PasswordCrypto

/// The agent's own block inside authorized_keys. Lines outside it belong to the user
/// and are kept byte for byte (`ManagedBlock`).
enum AuthorizedKeysBlock {
    static let block = ManagedBlock(begin: "# BEGIN guest-agent managed keys", end: "# END guest-agent managed keys")
    /// The keys a cloud-config names (`ssh_authorized_keys`), kept apart from the metadata's.
    static let userDataBlock = ManagedBlock(
        begin: "# BEGIN guest-agent user-data keys", end: "# END guest-agent user-data keys")
}

/// Decides which metadata key lines are safe to install.
enum AuthorizedKeyFilter {
    static let allowedTypes = OpenSSHPublicKey.knownTypes

    /// nil when `line` is a plain `type base64 [comment]` key; otherwise why not.
    /// Lines with options (`command=...`) or control characters are refused: metadata must
    /// not be able to smuggle a forced command or a second line into the file.
    static func problem(_ line: String) -> String? {
        if line.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
            return "contains control characters"
        }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2 else { return "is not 'type base64 [comment]'" }
        guard allowedTypes.contains(String(fields[0])) else {
            return "has unknown key type or options '\(fields[0].prefix(40))'"
        }
        guard
            fields[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=") })
        else {
            return "key data is not base64"
        }
        return nil
    }
}
