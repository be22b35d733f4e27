import Foundation

/// Builds real config drive images from a staged tree with the real tools, the way nova
/// does (docs/PROTOCOLS.md §2.3).
public enum ConfigDriveImages {
    /// Stages the default fixtures like a drive: every nova version directory filled from
    /// `latest`, plus `content/` and `ec2/`. `extra` adds files (relative path -> bytes).
    public static func stage(
        in work: TemporaryDirectory, extra: [String: Data] = [:], change: (String) throws -> Void = { _ in }
    ) throws -> String {
        let stage = work.path + "/stage"
        let fixtures = BuiltProducts.defaultFixtures
        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixtures + "/openstack", toPath: stage + "/openstack")
        try FileManager.default.copyItem(atPath: fixtures + "/ec2", toPath: stage + "/ec2")
        for version in ["2012-08-10", "2013-04-04", "2015-10-15", "2018-08-27"] {
            try FileManager.default.copyItem(
                atPath: stage + "/openstack/latest", toPath: stage + "/openstack/\(version)")
        }
        for (path, data) in extra {
            try FileManager.default.createDirectory(
                atPath: (stage + "/" + path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: stage + "/" + path))
        }
        try change(stage)
        return stage
    }

    /// `genisoimage` with nova's flags; `naming` picks the extensions: both (nova), `-r` only, `-J` only, or neither.
    public static func iso(
        from stage: String, to output: String, label: String = "config-2", rockRidge: Bool = true, joliet: Bool = true
    ) async throws {
        var arguments = [
            "-o", output, "-ldots", "-allow-lowercase", "-allow-multidot", "-l", "-publisher",
            "OpenStack Compute 31.0.0", "-quiet",
        ]
        if joliet { arguments += ["-J", "-joliet-long"] }
        if rockRidge { arguments.append("-r") }
        arguments += ["-V", label, stage]
        try check(await Program.tool("genisoimage", arguments, timeout: 300), "genisoimage")
    }

    /// `mkfs.vfat` + `mcopy`, as nova's vfat drives (64 MiB unless `megabytes` says otherwise).
    public static func vfat(
        from stage: String, to output: String, label: String = "config-2", megabytes: Int = 64, fat32: Bool = false
    ) async throws {
        try check(await Program.tool("truncate", ["-s", "\(megabytes)M", output]), "truncate")
        try check(await Program.tool("mkfs.vfat", (fat32 ? ["-F", "32"] : []) + ["-n", label, output]), "mkfs.vfat")
        try check(
            await Program.tool("mcopy", ["-s", "-i", output, stage + "/openstack", stage + "/ec2", "::/"]), "mcopy")
    }

    public static var toolsPresent: Bool {
        ["genisoimage", "mkfs.vfat", "mcopy", "truncate"].allSatisfy { Program.which($0) != nil }
    }

    public static func check(_ result: ProgramResult, _ tool: String) throws {
        guard result.status == 0 else {
            throw CocoaError(
                .fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(tool) failed: \(result.standardError)"])
        }
    }
}
