/// Edits /etc/hosts, touching only the agent's own marked line.
enum HostsFile {
    static let marker = "# guest-agent"

    /// `existing` with the agent's line replaced (or added): `127.0.1.1 fqdn short # guest-agent`.
    /// Lines the agent does not own are kept byte for byte.
    static func update(_ existing: String?, shortName: String, fqdn: String?) -> String {
        var lines = (existing ?? "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let names = [fqdn, shortName].compactMap { $0 }.joined(separator: " ")
        let ours = "127.0.1.1\t\(names) \(marker)"
        if let index = lines.firstIndex(where: { $0.hasSuffix(marker) }) {
            lines[index] = ours
            lines.removeAll { $0.hasSuffix(marker) && $0 != ours }
        } else {
            lines.append(ours)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
