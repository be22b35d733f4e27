import Foundation
import TestSupport
import Testing

/// The built agent on a Wakame-vdc instance: the metadata drive made by the real mkfs.vfat
/// (label `METADATA`) and mcopy, the tree Wakame-vdc's `aws.rb` writes, on a loop device
/// found from a scratch root (`--root`) by udev's label link or by the /sys/class/block scan;
/// the real useradd in that root. Host name, the admin user's key, the network (networkd) and
/// the user data land; a second boot changes nothing.
@Suite(.serialized) struct WakameEndToEndTests {
    static var enabled: Bool {
        FirstBootEndToEndTests.enabled && Program.which("losetup") != nil && Program.which("mknod") != nil
            && ConfigDriveImages.toolsPresent
    }
    static let mac = "52:54:00:12:34:56"

    struct Boot {
        let work: TemporaryDirectory
        let root: TemporaryDirectory
        let image: String
        let loop: OpenNebulaContextDrive.Loop
        let config: String
        func agent(_ arguments: [String]) async throws -> ProgramResult {
            try await Program.agent(arguments, config: config, root: root.path, timeout: 120)
        }
        var log: String { root.read("var/log/guest-agent.log") ?? "" }
    }

    static func boot(
        byLabel: Bool = true, plugins: String = "network, hostname, users, ssh_keys, userdata", firstBoot: Bool = false
    ) async throws -> Boot {
        let work = try TemporaryDirectory(prefix: "guest-agent-wakame")
        let root = try UsersRealToolsRoot.make()
        let image = work.path + "/metadata.img"
        let key = try OpenNebulaEndToEndTests.key("demo_rsa.pub")
        try await WakameMetadataDrive.image(
            WakameMetadataDrive.items(
                instanceID: "i-wakame01", hostname: "wakame-demo", key: key, mac: mac, address: "10.0.2.15",
                gateway: "10.0.2.2", dns: "10.0.2.3") + (firstBoot ? [("first-boot", "")] : []),
            userData: "#cloud-config\nfinal_message: wakame demo user data ran\n", in: work, output: image)
        let loop = try await OpenNebulaContextDrive.Loop(image: image, writable: true)
        try await loop.node(in: root, byLabel: byLabel, label: "METADATA")
        try root.write(mac + "\n", to: "sys/class/net/eth0/address")
        let config = try work.write(
            """
            [DEFAULT]
            metadata_services = wakame
            network_renderer = networkd
            discovery_timeout = 10
            plugins = \(plugins)
            log_file = /var/log/guest-agent.log
            """, to: "agent.conf")
        return Boot(work: work, root: root, image: image, loop: loop, config: config)
    }

    @Test(.enabled(if: enabled, "needs root, losetup, mkfs.vfat, mtools and useradd: skipped (CI runs as root)"))
    func theMetadataDriveConfiguresTheInstanceAndASecondBootChangesNothing() async throws {
        let boot = try await Self.boot()
        let first = try await boot.agent(["run"])
        #expect(first.status == 0, "stdout: \(first.standardOutput)\nstderr: \(first.standardError)")
        #expect(try await boot.agent(["query", "source"]).standardOutput == "wakame\n")
        #expect(try await boot.agent(["query", "instance_id"]).standardOutput == "i-wakame01\n")
        #expect(try await boot.agent(["query", "source_location"]).standardOutput == boot.loop.device + "\n")
        #expect(boot.root.read("etc/hostname") == "wakame-demo\n")
        let keys = boot.root.read("home/cloud-user/.ssh/authorized_keys") ?? ""
        #expect(keys.contains(try OpenNebulaEndToEndTests.key("demo_rsa.pub")), "\(keys)")
        let network = try FileManager.default.contentsOfDirectory(atPath: boot.root.path + "/etc/systemd/network")
            .filter { $0.hasSuffix(".network") }.compactMap { boot.root.read("etc/systemd/network/" + $0) }
            .joined(separator: "\n")
        #expect(network.contains("10.0.2.15/24"), "\(network)")
        #expect(network.contains("10.0.2.2") && network.contains("10.0.2.3"), "\(network)")
        // The drive's MAC is the scratch root's eth0 (its /sys/class/net address).
        #expect(network.contains("Name=eth0"), "\(network)")
        #expect(boot.log.contains("wakame demo user data ran"), "\(boot.log)")

        let watched = ["etc/passwd", "etc/hostname", "home/cloud-user/.ssh/authorized_keys"]
        let before = watched.map { boot.root.read($0) }
        let second = try await boot.agent(["run"])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(watched.map { boot.root.read($0) } == before, "the second boot changed an account or key file")
    }

    @Test(.enabled(if: enabled, "needs root, losetup, mkfs.vfat, mtools and useradd: skipped (CI runs as root)"))
    func withoutTheLabelLinkTheBlockDeviceScanFindsIt() async throws {
        let boot = try await Self.boot(byLabel: false, plugins: "hostname")
        #expect(!FileManager.default.fileExists(atPath: boot.root.path + "/dev/disk/by-label/METADATA"))
        let run = try await boot.agent(["run"])
        #expect(run.status == 0, "stdout: \(run.standardOutput)\nstderr: \(run.standardError)")
        #expect(boot.root.read("etc/hostname") == "wakame-demo\n")
    }

    /// Wakame-vdc's password (docs/PROTOCOLS.md §12.2): with `first-boot` on the drive, the
    /// agent sets a random password and writes it, RSA-OAEP (SHA-1) encrypted to the ssh-rsa
    /// key, as `meta-data/pw.enc` into the drive's FAT filesystem without mounting it. mtools
    /// reads it back from the image, `openssl pkeyutl` (what `mussel instance decrypt_password`
    /// runs) decrypts it to the password whose crypt is in /etc/shadow, `guest-agent
    /// decrypt-password` reads the raw file too, and `fsck.vfat -n` finds the volume clean.
    @Test(
        .enabled(
            if: enabled && Program.which("fsck.vfat") != nil,
            "needs root, losetup, mkfs.vfat, mtools, fsck.vfat, useradd and chpasswd: skipped (CI runs as root)"))
    func thePasswordIsWrittenEncryptedOntoTheDriveAndTheVolumeStaysClean() async throws {
        let boot = try await Self.boot(plugins: "users, password, ssh_keys", firstBoot: true)
        let run = try await boot.agent(["run"])
        #expect(run.status == 0, "stdout: \(run.standardOutput)\nstderr: \(run.standardError)")
        let copied = boot.work.path + "/pw.enc"
        let mcopy = try await Program.tool("mcopy", ["-n", "-i", boot.image, "::meta-data/pw.enc", copied])
        #expect(mcopy.status == 0, "\(mcopy.standardError)")
        let ciphertext = try #require(FileManager.default.contents(atPath: copied))
        #expect(ciphertext.count == 256, "a 2048-bit RSA block, raw")
        let key = FirstBootEndToEndTests.keys.appendingPathComponent("demo_rsa").path
        let decrypted = try await KeyFactory.opensslDecrypt(
            ciphertext.base64EncodedString(), keyPath: key,
            options: ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1"])
        #expect(decrypted.status == 0, "\(decrypted.standardError)")
        let password = decrypted.standardOutput
        #expect(password.count >= 8)
        let hash = FirstBootEndToEndTests.shadowHash(boot.root, user: "cloud-user")
        #expect(try await OpenNebulaEndToEndTests.verifies(password, hash), "the shadow hash is not pw.enc's password")
        let ours = try await Program.run(
            BuiltProducts.path("guest-agent"), ["decrypt-password", "--key", key, "--padding", "oaep-sha1", copied])
        #expect(ours.status == 0 && ours.standardOutput == password + "\n", "\(ours.standardError)")
        let fsck = try await Program.tool("fsck.vfat", ["-n", boot.image])
        #expect(fsck.status == 0, "\(fsck.standardOutput)\(fsck.standardError)")
        #expect(!boot.log.contains(password), "the password reached the log")

        // The next boot neither makes another password nor touches the drive.
        let image = FileManager.default.contents(atPath: boot.image)
        let second = try await boot.agent(["run"])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(FirstBootEndToEndTests.shadowHash(boot.root, user: "cloud-user") == hash)
        #expect(FileManager.default.contents(atPath: boot.image) == image)
    }

    /// The drive as Wakame-vdc really lays it out (`metadata.parted`: an msdos table, one
    /// partition from 1 MB, vfat on the partition): the /sys/class/block scan finds the
    /// partition (no label link), and the password lands on it with the volume left clean.
    @Test(
        .enabled(
            if: enabled && LoopDiskImage.available && Program.which("fsck.vfat") != nil,
            "needs root, losetup -P, sfdisk, mkfs.vfat, mtools, fsck.vfat: skipped (CI runs as root)"))
    func aPartitionedDriveIsFoundByTheScanAndTakesThePassword() async throws {
        let disk = try await LoopDiskImage(label: .dos, partitionMiB: 9, diskMiB: 10)
        defer { disk.detach() }
        let work = try TemporaryDirectory(prefix: "guest-agent-wakame")
        try WakameMetadataDrive.stage(
            WakameMetadataDrive.items(
                instanceID: "i-wakame02", hostname: "wakame-parted",
                key: try OpenNebulaEndToEndTests.key("demo_rsa.pub"),
                mac: Self.mac, address: "10.0.2.15", gateway: "10.0.2.2", dns: "10.0.2.3") + [("first-boot", "")],
            userData: "", in: work.path + "/stage")
        let partition = disk.partition
        try ConfigDriveImages.check(await Program.tool("mkfs.vfat", ["-n", "METADATA", partition]), "mkfs.vfat")
        try ConfigDriveImages.check(
            await Program.tool(
                "mcopy", ["-s", "-i", partition, work.path + "/stage/meta-data", work.path + "/stage/user-data", "::/"]),
            "mcopy")
        let root = try UsersRealToolsRoot.make()
        let name = URL(fileURLWithPath: partition).lastPathComponent
        let numbers = LoopDiskImage.numbers(name).split(separator: ":").map(String.init)
        try #require(numbers.count == 2)
        try FileManager.default.createDirectory(atPath: root.path + "/dev", withIntermediateDirectories: true)
        try ConfigDriveImages.check(
            await Program.tool("mknod", ["-m", "0600", root.path + "/dev/" + name, "b", numbers[0], numbers[1]]),
            "mknod")
        try FileManager.default.createDirectory(
            atPath: root.path + "/sys/class/block/" + name, withIntermediateDirectories: true)
        let config = try work.write(
            """
            [DEFAULT]
            metadata_services = wakame
            discovery_timeout = 10
            plugins = hostname, users, password, ssh_keys
            log_file = /var/log/guest-agent.log
            """, to: "agent.conf")
        let run = try await Program.agent(["run"], config: config, root: root.path, timeout: 120)
        #expect(run.status == 0, "stdout: \(run.standardOutput)\nstderr: \(run.standardError)")
        #expect(root.read("etc/hostname") == "wakame-parted\n")
        let copied = work.path + "/pw.enc"
        let mcopy = try await Program.tool("mcopy", ["-n", "-i", partition, "::meta-data/pw.enc", copied])
        #expect(mcopy.status == 0, "\(mcopy.standardError)")
        let ciphertext = try #require(FileManager.default.contents(atPath: copied))
        let decrypted = try await KeyFactory.opensslDecrypt(
            ciphertext.base64EncodedString(),
            keyPath: FirstBootEndToEndTests.keys.appendingPathComponent("demo_rsa").path,
            options: ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1"])
        #expect(decrypted.status == 0, "\(decrypted.standardError)")
        #expect(
            try await OpenNebulaEndToEndTests.verifies(
                decrypted.standardOutput, FirstBootEndToEndTests.shadowHash(root, user: "cloud-user")))
        let fsck = try await Program.tool("fsck.vfat", ["-n", partition])
        #expect(fsck.status == 0, "\(fsck.standardOutput)\(fsck.standardError)")
    }
}
