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
            "Input: the base64 text from `nova get-password`'s API (os-server-password), the metadata password endpoint, or EC2 console output with <Password> tags."
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
        guard let input, let published = String(data: input, encoding: .utf8) else {
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
}
