import AgentBase
import ArgumentParser
import DataSources
import FoundationEssentials
import PasswordCrypto

#if canImport(Glibc)
import Glibc
#endif

/// `guest-agent decrypt-password --key KEY [FILE|-]`: what `nova get-password` does, for
/// PEM (PKCS#1), PKCS#8 and OpenSSH private keys.
struct DecryptPasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt-password",
        abstract: "Decrypt a published admin password with the instance key pair's private key.",
        discussion:
            "Input: the base64 text from `nova get-password`'s API (os-server-password), the metadata password endpoint, or EC2 console output with <Password> tags; or the raw ciphertext of Wakame-vdc's meta-data/pw.enc (use --padding oaep-sha1)."
    )

    @Option(name: .long, help: "Private key file: PEM (PKCS#1), PKCS#8 or unencrypted OpenSSH.")
    var key: String

    @Option(name: .long, help: "Padding: pkcs1v15 (default, what nova and EC2 clients use), oaep-sha1, oaep-sha256.")
    var padding: String = PasswordPadding.legacyPKCS1v15.rawValue

    @Argument(help: "File holding the encrypted password; '-' or nothing for standard input.")
    var file: String?

    func run() throws {
        guard let padding = PasswordPadding(rawValue: padding) else {
            throw ValidationError(
                "--padding must be one of \(PasswordPadding.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let keyData = FileManager.default.contents(atPath: key),
            let keyText = String(data: keyData, encoding: .utf8)
        else {
            printError("guest-agent: cannot read the private key \(key)")
            throw ExitCode(1)
        }
        let input: Data?
        if let file, file != "-" {
            input = FileManager.default.contents(atPath: file)
        } else {
            input = PlainFileIO.readAll(STDIN_FILENO)
        }
        guard let input, let published = Self.publishedText(input) else {
            printError("guest-agent: cannot read the encrypted password from \(file ?? "standard input")")
            throw ExitCode(1)
        }
        do {
            let password = try PasswordDecryptor(privateKey: keyText).decrypt(published, padding: padding)
            print(password)
        } catch {
            printError("guest-agent: \(key): \(error)")
            throw ExitCode(1)
        }
    }

    /// The input as the decryptor's text: base64 (or tagged) text as it is; raw ciphertext
    /// (Wakame-vdc's `pw.enc`, bytes that are not all printable text) base64-encoded. A random
    /// RSA block is all printable ASCII with a probability far below 2^-300.
    static func publishedText(_ input: Data) -> String? {
        let printable = input.allSatisfy { (0x20...0x7E).contains($0) || [0x09, 0x0A, 0x0D].contains($0) }
        if printable { return String(data: input, encoding: .utf8) }
        return input.base64EncodedString()
    }
}
