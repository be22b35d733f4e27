import Foundation
import TestSupport
import Testing

/// Proxmox VE's two drive types for a Linux VM, built as Proxmox builds them (its generator's
/// files, `genisoimage -iso-level 3 -J -R`, labels `cidata` and `config-2`), read by the built
/// agent from an image file with real useradd and chpasswd in a scratch root: each must give
/// the instance the VM settings describe (the user `ciuser` with its password and keys, the
/// host name), with no second admin account, and a second boot must change nothing.
@Suite(
    .serialized,
    .enabled(
        if: FirstBootEndToEndTests.enabled && NoCloudSeeds.toolsPresent,
        "needs root, useradd, chpasswd, genisoimage: skipped (CI runs as root)"))
struct ProxmoxEndToEndTests {
    static let plugins = "users, hostname, ssh_keys, userdata"

    struct Boot {
        let work: TemporaryDirectory
        let root: TemporaryDirectory
        let config: String
        let instanceID: String

        func agent(_ arguments: [String]) throws -> ProgramResult {
            try Program.agent(arguments, config: config, root: root.path)
        }

        func shadowHash(_ user: String) -> String? {
            let lines = (root.read("etc/shadow") ?? "").split(separator: "\n")
            for line in lines {
                let fields = line.split(separator: ":", omittingEmptySubsequences: false)
                if fields.count > 1, fields[0] == user { return String(fields[1]) }
            }
            return nil
        }
    }

    /// The VM's drive as an ISO image inside the root, and a configuration that names it.
    static func boot(_ vm: ProxmoxVM, drive: String) throws -> Boot {
        let work = try TemporaryDirectory(prefix: "guest-agent-proxmox")
        let root = try UsersRealToolsRoot.make()
        let stage = work.path + "/stage"
        let instanceID = drive == "nocloud" ? try vm.writeNoCloud(to: stage) : try vm.writeConfigDrive2(to: stage)
        try FileManager.default.createDirectory(atPath: root.path + "/images", withIntermediateDirectories: true)
        let label = drive == "nocloud" ? "cidata" : "config-2"
        try ConfigDriveImages.check(
            Program.tool(
                "genisoimage",
                ["-quiet", "-iso-level", "3", "-J", "-R", "-V", label, "-o", root.path + "/images/ci.iso", stage]),
            "genisoimage")
        let config = try work.write(
            """
            [DEFAULT]
            metadata_services = configdrive, nocloud
            configdrive_paths = /images/ci.iso
            nocloud_paths = /images/ci.iso
            discovery_timeout = 10
            plugins = \(plugins)
            log_file = /var/log/guest-agent.log
            """, to: "agent.conf")
        return Boot(work: work, root: root, config: config, instanceID: instanceID)
    }

    static func verifies(_ password: String, _ hash: String?) throws -> Bool {
        guard let hash else { return false }
        let script = "import crypt, sys; print(crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2])"
        let result = try Program.tool("python3", ["-W", "ignore", "-c", script, password, hash])
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "True"
    }

    static func expectTheVMsInstance(_ boot: Boot, _ vm: ProxmoxVM, password: String) throws {
        let first = try boot.agent(["run"])
        #expect(first.status == 0, "stdout: \(first.standardOutput)\nstderr: \(first.standardError)")
        #expect(try boot.agent(["query", "instance_id"]).standardOutput == boot.instanceID + "\n")
        let user = try #require(vm.user)
        let passwd = boot.root.read("etc/passwd") ?? ""
        #expect(passwd.contains("\n\(user):"), "no \(user) in /etc/passwd")
        #expect(!passwd.contains("\ncloud-user:"), "a second admin account was made")
        #expect(try Self.verifies(password, boot.shadowHash(user)), "\(user)'s password is not the VM's")
        let keys = boot.root.read("home/\(user)/.ssh/authorized_keys") ?? ""
        for key in vm.sshKeys { #expect(keys.contains(key), "missing key \(key)") }
        #expect(boot.root.read("etc/hostname") == vm.name + "\n")

        let watched = ["etc/passwd", "etc/shadow", "etc/group", "etc/hostname", "home/\(user)/.ssh/authorized_keys"]
        let before = watched.map { boot.root.read($0) }
        let second = try boot.agent(["run"])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(watched.map { boot.root.read($0) } == before, "the second boot changed an account or key file")
    }

    static func vm(password: String?) throws -> ProxmoxVM {
        var vm = ProxmoxVM()
        vm.password = password
        vm.sshKeys = [
            try String(
                contentsOfFile: BuiltProducts.repository.appendingPathComponent("fixtures/keys/demo_rsa.pub").path,
                encoding: .utf8
            ).trimmingCharacters(in: .whitespacesAndNewlines)
        ]
        return vm
    }

    @Test(arguments: ["nocloud", "configdrive2"])
    func aClearTextPassword(drive: String) throws {
        let vm = try Self.vm(password: "Proxmox-Pass-1")
        try Self.expectTheVMsInstance(try Self.boot(vm, drive: drive), vm, password: "Proxmox-Pass-1")
    }

    /// What Proxmox stores for a Linux VM's `cipassword` set in its GUI: a crypt hash.
    @Test(arguments: ["nocloud", "configdrive2"])
    func aHashedPassword(drive: String) throws {
        let hash = try Program.tool("openssl", ["passwd", "-6", "-salt", "pvesalt0", "Hashed-Pass-2"]).standardOutput
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let vm = try Self.vm(password: hash)
        try Self.expectTheVMsInstance(try Self.boot(vm, drive: drive), vm, password: "Hashed-Pass-2")
    }
}
