import AgentBase
import FoundationEssentials
import HostEffects

/// Applies cloud-config `ca_certs` the way cloud-init's cc_ca_certs does on Debian and Ubuntu
/// (its 23.x layout):
/// - each `trusted` entry is written to /usr/local/share/ca-certificates/guest-agent-N.crt
///   (N from 1; files of an earlier, longer list are removed), where update-ca-certificates
///   picks up local certificates without an entry in /etc/ca-certificates.conf;
/// - `remove_defaults: true` deselects every certificate listed in /etc/ca-certificates.conf
///   (a `!` before each entry, which update-ca-certificates reads as "remove"), and tells
///   debconf not to trust certificates later packages add; the packaged files stay on disk,
///   so taking the `!` off undoes it. cloud-init 22.4 deleted /usr/share/ca-certificates and
///   /etc/ssl/certs instead; later versions do what is done here;
/// - then `update-ca-certificates` runs inside the root.
struct CloudConfigCACerts: Sendable {
    let context: PluginContext

    static let directory = "/usr/local/share/ca-certificates"
    static let certsConf = "/etc/ca-certificates.conf"
    static let deselectHeader = "# Modified by guest-agent to deselect certs due to user-data"

    func apply(_ config: CACertsConfig) async throws {
        try writeTrusted(config.trusted)
        let command = InRootCommand(context: context)
        // debconf failing must not keep the certificates from the store: reported after it.
        var debconfFailure: (any Error)?
        if config.removeDefaults {
            try deselectDefaults()
            if command.has("debconf-set-selections") {
                do {
                    try await command.check(
                        ["debconf-set-selections"],
                        standardInput: Data("ca-certificates ca-certificates/trust_new_crts select no\n".utf8))
                } catch { debconfFailure = error }
            }
        }
        guard command.has("update-ca-certificates") else {
            throw HostError.commandNotFound("update-ca-certificates (package ca-certificates)")
        }
        try await command.check(["update-ca-certificates"])
        if let debconfFailure { throw debconfFailure }
        context.logger.info(
            "cloud-config ca_certs applied",
            metadata: ["trusted": "\(config.trusted.count)", "remove_defaults": "\(config.removeDefaults)"])
    }

    static func fileName(_ number: Int) -> String { "guest-agent-\(number).crt" }

    private func writeTrusted(_ trusted: [String]) throws {
        if !trusted.isEmpty { try context.writer.makeDirectory(Self.directory, mode: 0o755, createOnly: true) }
        for (index, pem) in trusted.enumerated() {
            let path = Self.directory + "/" + Self.fileName(index + 1)
            let data = Data(pem.utf8)
            try context.writer.writeIfChanged(data, to: path, mode: 0o644)
        }
        // An earlier instance's longer list: its extra files would stay trusted.
        let host = try context.root.resolve(Self.directory)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: host)) ?? [] {
            guard name.hasPrefix("guest-agent-"), name.hasSuffix(".crt"),
                let number = Int(name.dropFirst("guest-agent-".count).dropLast(4)), number > trusted.count
            else { continue }
            try context.writer.remove(Self.directory + "/" + name)
        }
    }

    /// Every entry of ca-certificates.conf prefixed with `!` (blank lines, comments and
    /// entries already deselected kept), with a header saying who did it.
    static func deselected(_ text: String) -> String {
        var output: [String] = []
        var headed = text.split(separator: "\n").contains { $0 == deselectHeader }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") {
                output.append(line)
            } else {
                if !headed {
                    output.append(deselectHeader)
                    headed = true
                }
                output.append("!" + line)
            }
        }
        return output.joined(separator: "\n")
    }

    private func deselectDefaults() throws {
        guard let data = try context.writer.read(Self.certsConf) else { return }
        let edited = Data(Self.deselected(String(decoding: data, as: UTF8.self)).utf8)
        if edited != data { try context.writer.write(edited, to: Self.certsConf, mode: 0o644) }
    }
}
