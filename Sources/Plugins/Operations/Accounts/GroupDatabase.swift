import AgentBase
import DataSources
import HostEffects

/// Groups of the target root's /etc/group (not NSS: with `--root` the host's groups are
/// not the image's).
struct GroupDatabase {
    /// group name -> member names
    let members: [String: [String]]
    /// group name -> gid
    let gids: [String: UInt32]

    init(root: SystemRoot) throws {
        var members: [String: [String]] = [:]
        var gids: [String: UInt32] = [:]
        for fields in try AccountFile.records("/etc/group", root: root, minimumFields: 4) {
            members[String(fields[0])] = fields[3].split(separator: ",").map(String.init)
            gids[String(fields[0])] = UInt32(fields[2])
        }
        self.members = members
        self.gids = gids
    }

    func gid(of group: String) -> UInt32? { gids[group] }

    func exists(_ group: String) -> Bool { members[group] != nil }

    /// The administrators' group the distribution uses: sudo (Debian) or wheel (Red Hat).
    var adminGroup: String? { ["sudo", "wheel"].first(where: exists) }
}
