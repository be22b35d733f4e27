/// Why an SSH key cannot be used. Descriptions never include key material.
public enum SSHKeyError: Error, CustomStringConvertible, Equatable {
    case empty
    case notBase64
    case truncated
    case malformed(String)
    case typeMismatch(declared: String, blob: String)
    case unsupportedType(String)
    case keyTooSmall(bits: Int, minimum: Int)
    case keyTooLarge(bits: Int, maximum: Int)
    case encryptedPrivateKey
    case unrecognizedPrivateKey

    public var description: String {
        switch self {
        case .empty: "the key is empty"
        case .notBase64: "the key data is not valid base64"
        case .truncated: "the key blob is truncated"
        case .malformed(let what): "the key blob is malformed: \(what)"
        case .typeMismatch(let declared, let blob): "the key says '\(declared)' but its blob holds '\(blob)'"
        case .unsupportedType(let type): Self.unsupportedReason(type)
        case .keyTooSmall(let bits, let minimum): "the RSA key has \(bits) bits; at least \(minimum) are required"
        case .keyTooLarge(let bits, let maximum): "the RSA key has \(bits) bits; at most \(maximum) are accepted"
        case .encryptedPrivateKey:
            "the private key is encrypted with a passphrase; decrypt a copy first (ssh-keygen -p -N '' -f COPY)"
        case .unrecognizedPrivateKey: "not an RSA private key in PEM (PKCS#1), PKCS#8 or OpenSSH format"
        }
    }

    static func unsupportedReason(_ type: String) -> String {
        let kind: String
        if type.hasSuffix("-cert-v01@openssh.com") {
            kind = "an SSH certificate, not a plain key"
        } else if type == "ssh-ed25519" || type.hasPrefix("ecdsa-") || type.hasPrefix("sk-") {
            kind = "a signature-only key type"
        } else if type == "ssh-dss" {
            kind = "DSA, which cannot encrypt"
        } else {
            kind = "an unknown key type"
        }
        return "'\(type.prefix(64))' is \(kind): only ssh-rsa keys can encrypt a password"
    }
}
