import AgentBase
import FoundationEssentials
import HostEffects

/// Applies cloud-config `mounts` as cloud-init's cc_mounts does, as lines of /etc/fstab in
/// the agent's own marked block (`ManagedBlock`): the image's lines are kept byte for byte,
/// and writing the same entries again changes nothing. Mount points are made; on the live
/// system only, `swapon -a` (for swap entries), `mount -a` and `systemctl daemon-reload`
/// follow. Under `--root` nothing is mounted: an image's disks are not this machine's.
///
/// Devices: `/dev/...` paths, `LABEL=`/`UUID=`-style specs and network specs (`host:/path`,
/// `//server/share`) are written as given; kernel short names (`sdb`, `xvdc`, `vdb1`, `sr0`)
/// become `/dev/NAME` (partition 1 when the disk has one, as cloud-init picks it), and
/// `sdb.2` the partition `/dev/sdb2`. Not supported, skipped with a warning: the names a
/// cloud maps to devices (`ephemeral0`, `ephemeral`, `swap`, `ami`, `root`, `ebsN`), as the
/// agent has no block-device mapping, and so cloud-init's default `ephemeral0` on `/mnt`
/// and `swap` entries are not added either. A device the image's own fstab already has is
/// skipped (cloud-init's rule).
struct CloudConfigMounts: Sendable {
    let context: PluginContext

    static let fstab = "/etc/fstab"
    static let block = ManagedBlock(
        begin: "# BEGIN guest-agent cloud-config mounts", end: "# END guest-agent cloud-config mounts")

    struct Plan: Sendable, Equatable {
        /// Six fields each, in order.
        var lines: [[String]]
        /// Entries left out, each with why.
        var skipped: [String]
    }

    /// What goes into the block (pure): `imageDevices` are the fs_spec fields of the image's
    /// own lines, `hasFirstPartition` tells whether a disk has partition 1.
    static func plan(_ config: MountsConfig, imageDevices: Set<String>, hasFirstPartition: (String) -> Bool) -> Plan {
        var entries: [[String?]] = []
        var skipped: [String] = []
        for (index, written) in config.entries.enumerated() {
            let spec = written[0] ?? ""
            switch device(spec, hasFirstPartition: hasFirstPartition) {
            case .failure(let why):
                skipped.append("mounts[\(index)] \(spec): \(why.why)")
                continue
            case .success(let device) where imageDevices.contains(device):
                skipped.append("mounts[\(index)] \(spec): \(device) is in the image's /etc/fstab already")
                continue
            case .success(let device):
                var entry = written
                entry[0] = device
                for field in 0..<6 {
                    if field >= entry.count { entry.append(config.defaults[field]) }
                    if entry[field] == nil { entry[field] = config.defaults[field] }
                }
                // A null mount point drops the earlier entries for the same device (cloud-init).
                if entry[1] == nil {
                    for earlier in entries.indices where entries[earlier][0] == device { entries[earlier][1] = nil }
                }
                entries.append(entry)
            }
        }
        var lines: [[String]] = []
        for entry in entries {
            guard entry[1] != nil else { continue }
            // Defaults may be null too (`mount_default_fields` with nulls): fstab needs six words.
            guard entry.allSatisfy({ $0 != nil }) else {
                skipped.append("\(entry[0] ?? "?"): a field is null in the entry and in mount_default_fields")
                continue
            }
            lines.append(entry.map { $0! })
        }
        return Plan(lines: lines, skipped: skipped)
    }

    struct UnsupportedDevice: Error { var why: String }

    /// The fs_spec for a written device name, or why it is not supported.
    static func device(_ spec: String, hasFirstPartition: (String) -> Bool) -> Result<String, UnsupportedDevice> {
        let name = spec == "ephemeral" ? "ephemeral0" : spec
        if ["ami", "root", "swap"].contains(name)
            || ((name.hasPrefix("ephemeral") || name.hasPrefix("ebs")) && !name.contains(":"))
        {
            return .failure(
                UnsupportedDevice(why: "a name the cloud maps to a device is not supported (no block-device mapping)"))
        }
        // Network file systems (`host:/export`, `//server/share`), paths and TAG=value specs.
        if name.contains(":") || name.hasPrefix("/") || name.contains("=") { return .success(name) }
        let shortName = /^(x?[shv]d[a-z][0-9]*|sr[0-9]+)$/
        if (try? shortName.wholeMatch(in: name)) != nil {
            let isDisk = name.last.map { !$0.isNumber } ?? false
            return .success(isDisk && hasFirstPartition(name) ? "/dev/\(name)1" : "/dev/\(name)")
        }
        if let dot = name.lastIndex(of: "."), (try? shortName.wholeMatch(in: String(name[..<dot]))) != nil,
            let number = Int(name[name.index(after: dot)...]), number > 0
        {
            return .success("/dev/\(name[..<dot])\(number)")
        }
        return .failure(UnsupportedDevice(why: "not a device path, a TAG=value spec or a kernel disk name"))
    }

    /// The fs_spec of each line outside the agent's block (comments and blank lines left out).
    static func imageDevices(_ fstab: Data) -> Set<String> {
        let outside = block.replacing(in: fstab, with: []).data
        var devices: Set<String> = []
        for line in String(decoding: outside, as: UTF8.self).split(separator: "\n") {
            let trimmed = line.trimmingWhitespace()
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            if let first = trimmed.split(whereSeparator: \.isWhitespace).first { devices.insert(String(first)) }
        }
        return devices
    }

    func apply(_ config: MountsConfig) async throws {
        let existing = try context.writer.read(Self.fstab) ?? Data()
        let plan = Self.plan(config, imageDevices: Self.imageDevices(existing)) { disk in
            // sysfs of the running kernel; under --root there is none, so the disk itself.
            guard let path = try? context.root.resolve("/sys/block/\(disk)/\(disk)1") else { return false }
            return FileManager.default.fileExists(atPath: path)
        }
        for why in plan.skipped {
            context.logger.warning("cloud-config mounts: entry skipped", metadata: ["why": "\(why)"])
        }
        for line in plan.lines where line[1].hasPrefix("/") {
            if let problem = SystemRoot.problem(with: line[1]) {
                throw CloudConfigError.type("mounts (\(line[0]))", "a mount point that is a plain path (\(problem))")
            }
        }
        let edit = Self.block.replacing(in: existing, with: plan.lines.map { $0.joined(separator: "\t") })
        for warning in edit.warnings {
            context.logger.warning("/etc/fstab: odd marker", metadata: ["where": "\(warning)"])
        }
        if edit.data != existing {
            try context.writer.write(edit.data, to: Self.fstab, mode: 0o644)
            context.logger.info("wrote cloud-config mounts to /etc/fstab", metadata: ["entries": "\(plan.lines.count)"])
        }
        for line in plan.lines where line[1].hasPrefix("/") {
            try context.writer.makeDirectory(line[1], mode: 0o755, createOnly: true)
        }
        guard !plan.lines.isEmpty else { return }
        guard context.root.isLiveSystem else {
            context.logger.info("cloud-config mounts: not mounted under --root (fstab written for the image's boot)")
            return
        }
        try await activate(swap: plan.lines.contains { $0[2] == "swap" })
    }

    /// cloud-init's activation: `swapon -a` when there is swap, `mount -a`, then systemd's
    /// generators re-read fstab. Every step runs; the first failure is thrown after them.
    func activate(swap: Bool) async throws {
        var commands = [["mount", "-a"]]
        if swap { commands.insert(["swapon", "-a"], at: 0) }
        if context.tools.find("systemctl") != nil { commands.append(["systemctl", "daemon-reload"]) }
        var failure: (any Error)?
        for argv in commands {
            do { try await context.runner.check(argv) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
