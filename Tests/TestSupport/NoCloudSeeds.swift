import Foundation

/// Real NoCloud seeds, built the ways the platforms build them: `cloud-localds` (vfat or ISO,
/// as cloud-image-utils and libvirt users do) and `genisoimage -iso-level 3 -J -R -V cidata`
/// (Proxmox VE's `Cloudinit.pm`).
public enum NoCloudSeeds {
    /// The default fixtures' seed (`fixtures/default/nocloud`) copied into `work/<name>`, with
    /// `extra` files (name -> text) added or replaced. Returns the directory.
    public static func stage(in work: TemporaryDirectory, name: String = "seed", extra: [String: String] = [:]) throws
        -> String
    {
        let stage = work.path + "/" + name
        try FileManager.default.copyItem(atPath: BuiltProducts.defaultFixtures + "/nocloud", toPath: stage)
        for (file, text) in extra { try Data(text.utf8).write(to: URL(fileURLWithPath: stage + "/" + file)) }
        return stage
    }

    /// `cloud-localds` with `filesystem` `vfat` or `iso`; the network config and vendor data
    /// of the stage go in with `-N` and `-V` when present.
    public static func cloudLocalds(from stage: String, to output: String, filesystem: String) async throws {
        var arguments = ["-f", filesystem]
        if FileManager.default.fileExists(atPath: stage + "/network-config") {
            arguments += ["-N", stage + "/network-config"]
        }
        if FileManager.default.fileExists(atPath: stage + "/vendor-data") {
            arguments += ["-V", stage + "/vendor-data"]
        }
        arguments += [output, stage + "/user-data", stage + "/meta-data"]
        try ConfigDriveImages.check(await Program.tool("cloud-localds", arguments, timeout: 300), "cloud-localds")
    }

    /// The ISO Proxmox VE writes for a `nocloud` drive, from the stage's files.
    public static func proxmoxISO(from stage: String, to output: String) async throws {
        try ConfigDriveImages.check(
            await Program.tool(
                "genisoimage", ["-quiet", "-o", output, "-iso-level", "3", "-J", "-R", "-V", "cidata", stage],
                timeout: 300),
            "genisoimage")
    }

    public static var toolsPresent: Bool {
        ["cloud-localds", "genisoimage", "mkfs.vfat", "mcopy"].allSatisfy { Program.which($0) != nil }
    }
}
