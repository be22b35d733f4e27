import FoundationEssentials
import HostEffects

/// Edits /etc/hosts, touching only the agent's own marked block (`ManagedBlock`): every
/// other byte is kept, whatever its encoding.
enum HostsFile {
    static let block = ManagedBlock(begin: "# BEGIN guest-agent host name", end: "# END guest-agent host name")
    /// What a root with no /etc/hosts gets around the block.
    static let template = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"

    /// `existing` with the agent's block set to `127.0.1.1 fqdn short`.
    static func update(_ existing: Data?, shortName: String, fqdn: String?) -> ManagedBlock.Edit {
        let names = [fqdn, shortName].compactMap { $0 }.joined(separator: " ")
        return block.replacing(in: existing ?? Data(template.utf8), with: ["127.0.1.1\t\(names)"])
    }
}
