import AgentBase
import FoundationEssentials

/// cloud-config `mounts` and `mount_default_fields` (cloud-init's cc_mounts): each entry is
/// `[fs_spec, fs_file, fs_vfstype, fs_mntops, fs_freq, fs_passno]`, fields missing or null
/// taken from the defaults.
struct MountsConfig: Sendable, Equatable {
    /// The entries as written: 1 to 6 fields each, nil where the YAML says null.
    var entries: [[String?]]
    /// Six fields; `mount_default_fields` when given.
    var defaults: [String?]

    /// cloud-init 22.4's defaults on a systemd system, with the agent's network unit in place of
    /// `cloud-init.service`: a mount waits for the agent (which may have made what it mounts),
    /// `nofail` keeps a missing disk from stopping the boot, and `_netdev` puts the mount after
    /// the network (under remote-fs.target): without it, local-fs.target would wait for the
    /// agent, which starts after local-fs.target, a cycle.
    static let agentDefaults: [String?] = [
        nil, nil, "auto", "defaults,nofail,x-systemd.requires=guest-agent.service,_netdev", "0", "2",
    ]

    static func read(_ mounts: YAMLValue?, defaults: YAMLValue?) throws -> MountsConfig {
        var config = MountsConfig(entries: [], defaults: agentDefaults)
        if let defaults, defaults != .null {
            let fields = try CloudConfig.list(defaults, "mount_default_fields")
            guard fields.count == 6 else {
                throw CloudConfigError.type("mount_default_fields", "a list of 6 fields (strings or null)")
            }
            // Strings or null only (the schema's rule): cloud-init's module joins these
            // fields as they are, and a number there fails it.
            config.defaults = try fields.enumerated().map { index, value in
                let key = "mount_default_fields[\(index)]"
                switch value {
                case .null, .string: return try field(value, key)
                default: throw CloudConfigError.type(key, "a string or null")
                }
            }
        }
        for (index, item) in try CloudConfig.list(mounts, "mounts").enumerated() {
            let key = "mounts[\(index)]"
            guard case .list(let fields) = item, (1...6).contains(fields.count) else {
                throw CloudConfigError.type(key, "a list of 1 to 6 fstab fields")
            }
            let entry = try fields.enumerated().map { try field($1, "\(key)[\($0)]") }
            guard entry[0] != nil else { throw CloudConfigError.type("\(key)[0]", "a device (fs_spec)") }
            config.entries.append(entry)
        }
        return config
    }

    /// One fstab field: a scalar with no white space or control character (fstab separates
    /// fields by white space, so a space would add fields, a newline a line of the user's
    /// choosing; a space in a path is written `\040`, as fstab(5) says) and not empty.
    static func field(_ value: YAMLValue, _ key: String) throws -> String? {
        guard let text = try SystemKeys.scalar(value, key) else { return nil }
        guard !text.isEmpty, text.utf8.count <= 1024,
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw CloudConfigError.type(key, "an fstab field without white space (write a space as \\040)")
        }
        return text
    }
}
