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
    static let plugins = "network, users, hostname, ssh_keys, userdata"

    struct Boot {
        let work: TemporaryDirectory
        let root: TemporaryDirectory
        let config: String
        let instanceID: String

        func agent(_ arguments: [String]) async throws -> ProgramResult {
            try await Program.agent(arguments, config: config, root: root.path)
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
    static func boot(_ vm: ProxmoxVM, drive: String) async throws -> Boot {
        let work = try await TemporaryDirectory(prefix: "guest-agent-proxmox")
        let root = try await UsersRealToolsRoot.make()
        let stage = work.path + "/stage"
        let instanceID =
            drive == "nocloud" ? try await vm.writeNoCloud(to: stage) : try await vm.writeConfigDrive2(to: stage)
        try await FileManager.default.createDirectory(atPath: root.path + "/images", withIntermediateDirectories: true)
        let label = drive == "nocloud" ? "cidata" : "config-2"
        try await ConfigDriveImages.check(
            Program.tool(
                "genisoimage",
                ["-quiet", "-iso-level", "3", "-J", "-R", "-V", label, "-o", root.path + "/images/ci.iso", stage]),
            "genisoimage")
        // The VM's NIC as the guest sees it: Proxmox's v1 network matches it by MAC (the guest
        // calls it ens18), its configdrive2 ENI by the name eth0 (as Proxmox writes it).
        let nic = drive == "nocloud" ? "ens18" : "eth0"
        try await root.write(vm.mac + "\n", to: "sys/class/net/\(nic)/address")
        let config = try await work.write(
            """
            [DEFAULT]
            network_renderer = netplan
            metadata_services = configdrive, nocloud
            configdrive_paths = /images/ci.iso
            nocloud_paths = /images/ci.iso
            discovery_timeout = 10
            plugins = \(plugins)
            log_file = /var/log/guest-agent.log
            """, to: "agent.conf")
        return Boot(work: work, root: root, config: config, instanceID: instanceID)
    }

    static func verifies(_ password: String, _ hash: String?) async throws -> Bool {
        guard let hash else { return false }
        let script = "import crypt, sys; print(crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2])"
        let result = try await Program.tool("python3", ["-W", "ignore", "-c", script, password, hash])
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "True"
    }

    static func expectTheVMsInstance(_ boot: Boot, _ vm: ProxmoxVM, password: String) async throws {
        let first = try await boot.agent(["run"])
        #expect(first.status == 0, "stdout: \(first.standardOutput)\nstderr: \(first.standardError)")
        #expect(try await boot.agent(["query", "instance_id"]).standardOutput == boot.instanceID + "\n")
        let user = try #require(vm.user)
        let passwd = boot.root.read("etc/passwd") ?? ""
        #expect(passwd.hasPrefix("\(user):") || passwd.contains("\n\(user):"), "no \(user) in /etc/passwd")
        #expect(!passwd.contains("\ncloud-user:"), "a second admin account was made")
        #expect(try await Self.verifies(password, boot.shadowHash(user)), "\(user)'s password is not the VM's")
        let home = user == "root" ? "root" : "home/\(user)"
        let keys = boot.root.read("\(home)/.ssh/authorized_keys") ?? ""
        for key in vm.sshKeys { #expect(keys.contains(key), "missing key \(key)") }
        #expect(boot.root.read("etc/hostname") == vm.name + "\n")
        try await Self.expectTheVMsNetwork(boot, vm)

        let watched = [
            "etc/passwd", "etc/shadow", "etc/group", "etc/hostname", "\(home)/.ssh/authorized_keys",
            "etc/netplan/50-guest-agent.yaml",
        ]
        let before = watched.map { boot.root.read($0) }
        let second = try await boot.agent(["run"])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(watched.map { boot.root.read($0) } == before, "the second boot changed an account or key file")
    }

    /// The network the VM's settings give, as netplan reads it (`netplan generate` accepts the
    /// file), on the guest's NIC.
    static func expectTheVMsNetwork(_ boot: Boot, _ vm: ProxmoxVM) async throws {
        let netplan = try #require(boot.root.read("etc/netplan/50-guest-agent.yaml"), "no netplan file")
        if vm.ip == "dhcp" { #expect(netplan.contains("dhcp4: true"), "\(netplan)") }
        if let ip = vm.ip, ip != "dhcp" { #expect(netplan.contains(ip), "\(netplan)") }
        if let gateway = vm.gateway { #expect(netplan.contains(gateway), "\(netplan)") }
        if let ip6 = vm.ip6, ip6.contains("/") { #expect(netplan.contains(ip6.lowercased()), "\(netplan)") }
        for server in vm.nameservers { #expect(netplan.contains(server), "\(netplan)") }
        if Program.which("netplan") != nil {
            let generate = try await Program.tool("netplan", ["generate", "--root-dir", boot.root.path])
            #expect(generate.status == 0, "netplan generate: \(generate.standardError)")
        }
    }

    static func vm(password: String?) async throws -> ProxmoxVM {
        var vm = ProxmoxVM()
        vm.password = password
        // Proxmox's default `package_upgrade: true` needs a package manager in the image; this
        // root has none (its own test below), and the real apt-get upgrade is
        // PackagesEndToEndTests'.
        vm.packageUpgrade = false
        vm.sshKeys = [
            try await String(
                contentsOfFile: BuiltProducts.repository.appendingPathComponent("fixtures/keys/demo_rsa.pub").path,
                encoding: .utf8
            ).trimmingCharacters(in: .whitespacesAndNewlines)
        ]
        return vm
    }

    @Test(arguments: ["nocloud", "configdrive2"])
    func aClearTextPassword(drive: String) async throws {
        let vm = try await Self.vm(password: "Proxmox-Pass-1")
        try await Self.expectTheVMsInstance(try await Self.boot(vm, drive: drive), vm, password: "Proxmox-Pass-1")
    }

    /// A static dual-stack address, as set in Proxmox's IP config.
    @Test(arguments: ["nocloud", "configdrive2"])
    func aStaticDualStackNetwork(drive: String) async throws {
        var vm = try await Self.vm(password: "Proxmox-Pass-3")
        vm.ip = "192.0.2.10/24"
        vm.gateway = "192.0.2.1"
        vm.ip6 = "2001:db8::10/64"
        vm.gateway6 = "2001:db8::1"
        try await Self.expectTheVMsInstance(try await Self.boot(vm, drive: drive), vm, password: "Proxmox-Pass-3")
    }

    /// DHCP for IPv4 and SLAAC (`auto`) for IPv6.
    @Test(arguments: ["nocloud", "configdrive2"])
    func dhcpAndSLAAC(drive: String) async throws {
        var vm = try await Self.vm(password: "Proxmox-Pass-4")
        vm.ip6 = "auto"
        try await Self.expectTheVMsInstance(try await Self.boot(vm, drive: drive), vm, password: "Proxmox-Pass-4")
    }

    /// `ciuser: root`: Proxmox writes `user: root` and `disable_root: False` and no
    /// `users: [default]`; root gets the password and the keys, no account is made.
    @Test(arguments: ["nocloud", "configdrive2"])
    func rootAsTheUser(drive: String) async throws {
        var vm = try await Self.vm(password: "Proxmox-Root-5")
        vm.user = "root"
        try await Self.expectTheVMsInstance(try await Self.boot(vm, drive: drive), vm, password: "Proxmox-Root-5")
    }

    /// Proxmox's default user data asks for `package_upgrade: true`. In an image without a
    /// package manager that key fails, by name, and only it: the user, password and keys are
    /// the VM's all the same.
    @Test func packageUpgradeWithoutAPackageManagerFailsOnlyThatKey() async throws {
        var vm = try await Self.vm(password: "Proxmox-Pass-6")
        vm.packageUpgrade = true
        let boot = try await Self.boot(vm, drive: "nocloud")
        let first = try await boot.agent(["run"])
        #expect(first.status == 1, "\(first.standardError)")
        let status = try await boot.agent(["status"]).standardOutput
        #expect(
            status.contains("package_upgrade: no package manager in the image: none of apt-get, dnf"), "\(status)")
        let user = try #require(vm.user)
        #expect(try await Self.verifies("Proxmox-Pass-6", boot.shadowHash(user)))
        for key in vm.sshKeys { #expect(boot.root.read("home/\(user)/.ssh/authorized_keys")?.contains(key) == true) }
        #expect(boot.root.read("etc/hostname") == vm.name + "\n")
    }

    /// What Proxmox stores for a Linux VM's `cipassword` set in its GUI: a crypt hash.
    @Test(arguments: ["nocloud", "configdrive2"])
    func aHashedPassword(drive: String) async throws {
        let hash = try await Program.tool("openssl", ["passwd", "-6", "-salt", "pvesalt0", "Hashed-Pass-2"])
            .standardOutput
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let vm = try await Self.vm(password: hash)
        try await Self.expectTheVMsInstance(try await Self.boot(vm, drive: drive), vm, password: "Hashed-Pass-2")
    }
}
