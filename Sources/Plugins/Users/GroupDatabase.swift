import DataSources
/// Groups of the target root's /etc/group (not NSS: with `--root` the host's groups are
/// not the image's).
struct GroupDatabase {
    /// group name -> member names
    let members: [String: [String]]

    init(root: SystemRoot) throws {
        var members: [String: [String]] = [:]
        for fields in try AccountFile.records("/etc/group", root: root, minimumFields: 4) {
            members[String(fields[0])] = fields[3].split(separator: ",").map(String.init)
        }
        self.members = members
    }

    func exists(_ group: String) -> Bool { members[group] != nil }

    /// The administrators' group the distribution uses: sudo (Debian) or wheel (Red Hat).
    var adminGroup: String? { ["sudo", "wheel"].first(where: exists) }
}
