import Foundation

/// A Wakame-vdc metadata drive as its hypervisor driver builds one (axsh/wakame-vdc
/// `linux_hypervisor.rb` `setup_metadata_drive`): every `meta-data/<key>` value written with
/// Ruby's `puts` (a line feed added unless there is one), a key ending in `/` an empty
/// directory, `user-data` at the root; on a vfat volume labelled `METADATA` made by the real
/// `mkfs.vfat` and filled by `mcopy`.
public enum WakameMetadataDrive {
    /// Ruby's `puts`: the text, with a line feed unless it ends in one.
    static func puts(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }

    /// Writes the drive's tree into `stage`.
    public static func stage(_ items: [(String, String?)], userData: String, in stage: String) throws {
        let metaData = stage + "/meta-data"
        try FileManager.default.createDirectory(atPath: metaData, withIntermediateDirectories: true)
        for (key, value) in items {
            let path = metaData + "/" + key
            if key.hasSuffix("/"), value == nil {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                continue
            }
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(puts(value ?? "").utf8).write(to: URL(fileURLWithPath: path))
        }
        try Data(puts(userData).utf8).write(to: URL(fileURLWithPath: stage + "/user-data"))
    }

    /// A 10 MiB vfat image labelled `METADATA` at `output` holding the staged tree (Wakame-vdc's
    /// image is 10 MiB with one partition; the agent finds the filesystem, so the test image
    /// is the filesystem alone).
    public static func image(
        _ items: [(String, String?)], userData: String, in work: TemporaryDirectory, output: String,
        megabytes: Int = 10, fat32: Bool = false
    ) async throws {
        let staging = work.path + "/wakame-stage"
        try stage(items, userData: userData, in: staging)
        try ConfigDriveImages.check(await Program.tool("truncate", ["-s", "\(megabytes)M", output]), "truncate")
        try ConfigDriveImages.check(
            await Program.tool("mkfs.vfat", (fat32 ? ["-F", "32"] : []) + ["-n", "METADATA", output]), "mkfs.vfat")
        try ConfigDriveImages.check(
            await Program.tool("mcopy", ["-s", "-i", output, staging + "/meta-data", staging + "/user-data", "::/"]),
            "mcopy")
    }

    /// The metadata `aws.rb` writes for one instance with one NIC and one key.
    public static func items(
        instanceID: String, hostname: String, key: String?, mac: String, address: String, gateway: String,
        dns: String
    ) -> [(String, String?)] {
        let directory = mac.replacingOccurrences(of: ":", with: "-")
        let nic = "network/interfaces/macs/\(directory)/"
        var items: [(String, String?)] = [
            ("ami-id", "wmi-demo"), ("ami-launch-index", "0"), ("hostname", hostname), ("instance-id", instanceID),
            ("local-hostname", hostname), ("local-ipv4", address), ("mac", mac),
            ("placement/availability-zone", nil), ("x-account-id", "a-shpoolxx"),
            (nic + "local-hostname", hostname), (nic + "local-ipv4s", address), (nic + "mac", mac),
            (nic + "x-dns", dns), (nic + "x-gateway", gateway), (nic + "x-netmask", "255.255.255.0"),
            (nic + "x-network", "10.0.2.0"), (nic + "x-broadcast", "10.0.2.255"), (nic + "x-metric", "100"),
            ("extra-hosts/fluent.local", "192.168.1.101"),
        ]
        if let key {
            items += [("public-keys/0=ssh-demo", key), ("public-keys/0/openssh-key", key)]
        } else {
            items.append(("public-keys/", nil))
        }
        return items
    }
}
