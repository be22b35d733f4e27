/// Chooses the key to encrypt the password with: the first key in the source's order
/// that is a usable ssh-rsa key - deterministically, never "some key" (cloudbase-init
/// takes one from an unordered set and fails when it lands on a non-RSA key).
public enum PasswordKeySelection {
    public struct Choice: Sendable {
        public let key: OpenSSHPublicKey
        public let name: String
        /// Keys passed over before it, with the reason for each.
        public let skipped: [String]
    }

    /// Keys are `(name, line)` in source order. Returns nil with every reason when none fits.
    public static func choose(_ keys: [(name: String, line: String)], policy: RSAKeyPolicy = .standard) -> Result<
        Choice, NoUsableKey
    > {
        var skipped: [String] = []
        for (name, line) in keys {
            do {
                let key = try OpenSSHPublicKey(line: line)
                try policy.check(key)
                return .success(Choice(key: key, name: name, skipped: skipped))
            } catch {
                skipped.append("key '\(name.prefix(64))': \(error)")
            }
        }
        return .failure(NoUsableKey(reasons: skipped))
    }

    public struct NoUsableKey: Error, CustomStringConvertible {
        public let reasons: [String]
        public var description: String {
            reasons.isEmpty
                ? "no ssh-rsa key in the metadata to encrypt a password with"
                : "no usable ssh-rsa key in the metadata (" + reasons.joined(separator: "; ") + ")"
        }
    }
}

/// Which RSA key sizes are accepted for password encryption.
public struct RSAKeyPolicy: Sendable, Equatable {
    public var minimumBits: Int
    public var maximumBits: Int

    public init(minimumBits: Int = 2048, maximumBits: Int = 4096) {
        self.minimumBits = minimumBits
        self.maximumBits = maximumBits
    }

    public static let standard = RSAKeyPolicy()

    func check(_ key: OpenSSHPublicKey) throws {
        guard key.bits >= minimumBits else { throw SSHKeyError.keyTooSmall(bits: key.bits, minimum: minimumBits) }
        guard key.bits <= maximumBits else { throw SSHKeyError.keyTooLarge(bits: key.bits, maximum: maximumBits) }
    }
}
