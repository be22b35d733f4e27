import Foundation

/// Real key pairs made with `ssh-keygen` and converted with `openssl`, in a temp dir.
public struct GeneratedKey: Sendable {
    public let directory: String
    /// OpenSSH public key line.
    public let publicLine: String
    /// PEM PKCS#1 private key path (`BEGIN RSA PRIVATE KEY`).
    public let pemPath: String
    public let pkcs8Path: String
    /// The same key in OpenSSH private format (ssh-keygen's default).
    public let opensshPath: String
}

public enum KeyFactory {
    /// An RSA key of `bits` in all three private formats.
    public static func rsa(bits: Int, in work: TemporaryDirectory, name: String? = nil) async throws -> GeneratedKey {
        let base = work.path + "/" + (name ?? "rsa\(bits)")
        try check(
            await Program.tool(
                "ssh-keygen",
                ["-q", "-t", "rsa", "-b", String(bits), "-N", "", "-C", "test-\(bits)", "-f", base + ".openssh"]))
        try check(await Program.tool("cp", [base + ".openssh", base + ".pem"]))
        try check(await Program.tool("ssh-keygen", ["-q", "-p", "-m", "PEM", "-N", "", "-f", base + ".pem"]))
        try check(
            await Program.tool(
                "openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", base + ".pem", "-out", base + ".pkcs8.pem"]))
        let line = try String(contentsOfFile: base + ".openssh.pub", encoding: .utf8)
        return GeneratedKey(
            directory: work.path, publicLine: line, pemPath: base + ".pem", pkcs8Path: base + ".pkcs8.pem",
            opensshPath: base + ".openssh")
    }

    /// A public key line of another type (`ed25519`, `ecdsa`, `dsa`).
    public static func publicLine(type: String, in work: TemporaryDirectory) async throws -> String {
        let base = work.path + "/\(type)-\(UInt32.random(in: 0...UInt32.max))"
        try check(await Program.tool("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", base]))
        return try String(contentsOfFile: base + ".pub", encoding: .utf8)
    }

    /// Decrypts base64 ciphertext with the real `openssl pkeyutl` and returns the plaintext.
    public static func opensslDecrypt(
        _ base64: String, keyPath: String, options: [String] = ["-pkeyopt", "rsa_padding_mode:pkcs1"]
    ) async throws -> ProgramResult {
        guard let ciphertext = Data(base64Encoded: base64) else { throw CocoaError(.coderInvalidValue) }
        return try await Program.tool(
            "openssl", ["pkeyutl", "-decrypt", "-inkey", keyPath] + options, input: ciphertext)
    }

    static func check(_ result: ProgramResult) throws {
        guard result.status == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: result.standardError])
        }
    }
}
