import FoundationEssentials

/// An OpenSSH public key line (`[options] type base64 [comment]`, docs/PROTOCOLS.md §5),
/// decoded far enough to use an `ssh-rsa` key for encryption.
public struct OpenSSHPublicKey: Sendable, Equatable {
    /// The type string inside the blob (`ssh-rsa`).
    public let type: String
    public let comment: String
    /// RSA public exponent and modulus, unsigned big-endian, leading zeros stripped.
    public let exponent: [UInt8]
    public let modulus: [UInt8]

    /// Modulus size in bits.
    public var bits: Int {
        guard let first = modulus.first else { return 0 }
        return (modulus.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    /// The one list of OpenSSH public key types the agent knows (docs/PROTOCOLS.md §5.3);
    /// the ssh_keys plugin installs only these.
    public static let knownTypes: Set<String> = [
        "ssh-rsa", "ssh-ed25519", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// Parses one key line and requires an `ssh-rsa` key. Throws `SSHKeyError` saying
    /// exactly why another type, a damaged blob or a mismatched type word is unusable.
    public init(line: String) throws {
        let fields = Self.fields(of: line)
        guard !fields.isEmpty else { throw SSHKeyError.empty }
        // Skip an options prefix: the key starts at the first known type word or certificate.
        guard
            let typeIndex = fields.firstIndex(where: {
                Self.knownTypes.contains($0) || $0.hasSuffix("-cert-v01@openssh.com")
            })
        else {
            throw SSHKeyError.unsupportedType(fields[0])
        }
        let declared = fields[typeIndex]
        guard declared == "ssh-rsa" else { throw SSHKeyError.unsupportedType(declared) }
        guard typeIndex + 1 < fields.count else { throw SSHKeyError.truncated }
        guard let blob = Data(base64Encoded: fields[typeIndex + 1]) else { throw SSHKeyError.notBase64 }
        var reader = SSHWireReader(blob)
        let blobType = try reader.text()
        guard blobType == declared else {
            throw SSHKeyError.typeMismatch(declared: declared, blob: String(blobType.prefix(64)))
        }
        exponent = try reader.unsignedMPInt()
        modulus = try reader.unsignedMPInt()
        guard reader.isAtEnd else { throw SSHKeyError.malformed("trailing bytes after the modulus") }
        guard !exponent.isEmpty, !modulus.isEmpty else { throw SSHKeyError.malformed("zero exponent or modulus") }
        type = blobType
        comment = fields.dropFirst(typeIndex + 2).joined(separator: " ")
    }

    /// Splits on blanks, keeping double-quoted option values (`command="a b"`) whole.
    static func fields(of line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        for character in line.trimmingWhitespaceAndNewlinesForKeys() {
            if character == "\"" { quoted.toggle() }
            if (character == " " || character == "\t") && !quoted {
                if !current.isEmpty {
                    fields.append(current)
                    current = ""
                }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { fields.append(current) }
        return fields
    }
}
