import FoundationEssentials

/// The parts of an unencrypted `openssh-key-v1` RSA private key (the format `ssh-keygen`
/// writes by default since OpenSSH 7.8, which `openssl` cannot read).
struct OpenSSHPrivateKey {
    let n: [UInt8], e: [UInt8], d: [UInt8], p: [UInt8], q: [UInt8]

    static let begin = "-----BEGIN OPENSSH PRIVATE KEY-----"
    static let end = "-----END OPENSSH PRIVATE KEY-----"

    init(pem: String) throws {
        guard let start = pem.firstRange(of: Self.begin), let stop = pem.firstRange(of: Self.end),
            start.upperBound <= stop.lowerBound
        else {
            throw SSHKeyError.unrecognizedPrivateKey
        }
        let body = pem[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)) else { throw SSHKeyError.notBase64 }
        let magic = Data("openssh-key-v1\0".utf8)
        guard data.starts(with: magic) else { throw SSHKeyError.malformed("missing openssh-key-v1 magic") }
        var reader = SSHWireReader(data.dropFirst(magic.count))
        let cipher = try reader.text()
        let kdf = try reader.text()
        _ = try reader.string()  // kdf options
        guard cipher == "none", kdf == "none" else { throw SSHKeyError.encryptedPrivateKey }
        guard try reader.uint32() == 1 else { throw SSHKeyError.malformed("expected exactly one key") }
        _ = try reader.string()  // public key blob
        var secret = SSHWireReader(Data(try reader.string()))
        guard try secret.uint32() == (try secret.uint32()) else { throw SSHKeyError.malformed("check integers differ") }
        let type = try secret.text()
        guard type == "ssh-rsa" else { throw SSHKeyError.unsupportedType(type) }
        // OpenSSH order: n, e, d, iqmp, p, q.
        n = try secret.unsignedMPInt()
        e = try secret.unsignedMPInt()
        d = try secret.unsignedMPInt()
        _ = try secret.unsignedMPInt()
        p = try secret.unsignedMPInt()
        q = try secret.unsignedMPInt()
    }
}
