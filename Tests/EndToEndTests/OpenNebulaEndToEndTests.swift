import Foundation
import TestSupport
import Testing

/// The built agent on an OpenNebula instance: a context CD made by genisoimage (label
/// `CONTEXT`) on a loop device, found by its label from a scratch root (`--root`) that has the
/// device node and udev's by-label link; the real useradd and chpasswd in that root. The
/// context's host name, user, keys, password, user data and network all land, a value shaped
/// like a command is only data, and a second boot changes nothing.
@Suite(.serialized) struct OpenNebulaEndToEndTests {
    static var enabled: Bool {
        FirstBootEndToEndTests.enabled && Program.which("losetup") != nil && Program.which("genisoimage") != nil
            && Program.which("mknod") != nil
    }
    static let mac = "02:00:0a:12:01:01"
    static let user = "nebula-admin"
    /// A quote and a space in it: OpenNebula writes the quote as `'\''`.
    static let password = "Neb'ula pass-42"

    static func key(_ name: String) throws -> String {
        try String(contentsOf: FirstBootEndToEndTests.keys.appendingPathComponent(name), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// crypt(3) of `password` with `hash` as the setting gives `hash` (Python's crypt module).
    static func verifies(_ password: String, _ hash: String?) async throws -> Bool {
        guard let hash else { return false }
        let script = "import crypt, sys; print(crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2])"
        let result = try await Program.tool("python3", ["-W", "ignore", "-c", script, password, hash])
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "True"
    }

    struct Boot {
        let work: TemporaryDirectory
        let root: TemporaryDirectory
        let loop: OpenNebulaContextDrive.Loop
        let config: String
        func agent(_ arguments: [String]) async throws -> ProgramResult {
            try await Program.agent(arguments, config: config, root: root.path, timeout: 120)
        }
    }

    static func boot(_ variables: [(String, String)], byLabel: Bool = true) async throws -> Boot {
        let work = try TemporaryDirectory(prefix: "guest-agent-opennebula")
        let root = try UsersRealToolsRoot.make()
        let image = work.path + "/context.iso"
        try await OpenNebulaContextDrive.iso(variables, in: work, output: image)
        let loop = try await OpenNebulaContextDrive.Loop(image: image)
        try await loop.node(in: root, byLabel: byLabel)
        try root.write(mac + "\n", to: "sys/class/net/eth0/address")
        let config = try work.write(
            """
            [DEFAULT]
            metadata_services = opennebula
            network_renderer = networkd
            discovery_timeout = 10
            plugins = network, hostname, users, platform_password, ssh_keys, userdata
            log_file = /var/log/guest-agent.log
            """, to: "agent.conf")
        return Boot(work: work, root: root, loop: loop, config: config)
    }

    static func variables(marker: String) throws -> [(String, String)] {
        let userData = "#cloud-config\nfinal_message: opennebula user data ran\n"
        return [
            ("DISK_ID", "1"), ("TARGET", "hdb"), ("NETWORK", "YES"),
            ("SET_HOSTNAME", "nebula-demo"), ("USERNAME", user), ("PASSWORD", password),
            ("SSH_PUBLIC_KEY", try key("demo_ed25519.pub") + "\n" + (try key("demo_rsa.pub"))),
            ("USER_DATA", Data(userData.utf8).base64EncodedString()), ("USERDATA_ENCODING", "base64"),
            ("ETH0_MAC", mac), ("ETH0_IP", "10.18.1.1"), ("ETH0_MASK", "255.255.255.0"),
            ("ETH0_GATEWAY", "10.18.1.254"), ("ETH0_DNS", "10.18.1.253"),
            // A command in a value is only text: nothing runs it.
            ("START_SCRIPT", "touch \(marker); $(touch \(marker)) `touch \(marker)`"),
        ]
    }

    @Test(.enabled(if: enabled, "needs root, losetup, genisoimage, useradd and chpasswd: skipped (CI runs as root)"))
    func theContextCDConfiguresTheInstanceAndASecondBootChangesNothing() async throws {
        let scratch = try TemporaryDirectory()
        let marker = scratch.path + "/MARKER"
        let boot = try await Self.boot(try Self.variables(marker: marker))
        let first = try await boot.agent(["run"])
        #expect(first.status == 0, "stdout: \(first.standardOutput)\nstderr: \(first.standardError)")
        #expect(try await boot.agent(["query", "source"]).standardOutput == "opennebula\n")
        #expect(try await boot.agent(["query", "instance_id"]).standardOutput == "iid-dsopennebula\n")
        #expect(try await boot.agent(["query", "source_location"]).standardOutput == boot.loop.device + "\n")
        #expect(boot.root.read("etc/hostname") == "nebula-demo\n")
        let keys = boot.root.read("home/\(Self.user)/.ssh/authorized_keys") ?? ""
        let ed25519 = try Self.key("demo_ed25519.pub")
        let rsa = try Self.key("demo_rsa.pub")
        #expect(keys.contains(ed25519) && keys.contains(rsa))
        let hash = FirstBootEndToEndTests.shadowHash(boot.root, user: Self.user)
        #expect(try await Self.verifies(Self.password, hash), "the shadow hash is not the context's PASSWORD")
        let network = try FileManager.default.contentsOfDirectory(atPath: boot.root.path + "/etc/systemd/network")
            .filter { $0.hasSuffix(".network") }.compactMap { boot.root.read("etc/systemd/network/" + $0) }
            .joined(separator: "\n")
        #expect(network.contains("10.18.1.1/24"), "\(network)")
        #expect(network.contains("10.18.1.254") && network.contains("10.18.1.253"), "\(network)")
        #expect(boot.root.read("var/log/guest-agent.log")?.contains("opennebula user data ran") == true)
        let log = boot.root.read("var/log/guest-agent.log") ?? ""
        #expect(!log.contains("pass-42"), "the password reached the log")
        #expect(!FileManager.default.fileExists(atPath: marker), "a value of context.sh was run")
        #expect(try await boot.agent(["query", "platform_password"]).standardOutput.contains("pass-42") == false)

        let watched = ["etc/passwd", "etc/shadow", "etc/hostname", "home/\(Self.user)/.ssh/authorized_keys"]
        let before = watched.map { boot.root.read($0) }
        let second = try await boot.agent(["run"])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(watched.map { boot.root.read($0) } == before, "the second boot changed an account or key file")
    }

    @Test(.enabled(if: enabled, "needs root, losetup, genisoimage, useradd and chpasswd: skipped (CI runs as root)"))
    func withoutTheLabelLinkTheBlockDeviceScanFindsIt() async throws {
        let boot = try await Self.boot(
            [("SET_HOSTNAME", "nebula-scan"), ("SSH_PUBLIC_KEY", try Self.key("demo_ed25519.pub"))], byLabel: false)
        #expect(!FileManager.default.fileExists(atPath: boot.root.path + "/dev/disk/by-label/CONTEXT"))
        let run = try await boot.agent(["run"])
        #expect(run.status == 0, "stdout: \(run.standardOutput)\nstderr: \(run.standardError)")
        #expect(boot.root.read("etc/hostname") == "nebula-scan\n")
        #expect(try await boot.agent(["query", "source_location"]).standardOutput == boot.loop.device + "\n")
    }

    @Test(.enabled(if: enabled, "needs root, losetup, genisoimage, useradd and chpasswd: skipped (CI runs as root)"))
    func aCryptedPasswordIsStoredAsGiven() async throws {
        let hashed = try await Program.tool("openssl", ["passwd", "-6", "-stdin"], input: Data("Crypt3d-Pass\n".utf8))
        let hash = hashed.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(hash.hasPrefix("$6$"))
        let boot = try await Self.boot([
            ("SET_HOSTNAME", "nebula-crypt"), ("USERNAME", Self.user), ("CRYPTED_PASSWORD", hash),
            ("SSH_PUBLIC_KEY", try Self.key("demo_ed25519.pub")),
        ])
        let run = try await boot.agent(["run"])
        #expect(run.status == 0, "stdout: \(run.standardOutput)\nstderr: \(run.standardError)")
        #expect(FirstBootEndToEndTests.shadowHash(boot.root, user: Self.user) == hash)
    }

    @Test(.enabled(if: enabled, "needs root, losetup, genisoimage, useradd and chpasswd: skipped (CI runs as root)"))
    func aPasswordThatCannotBeSetFailsOnlyItsPluginAndTheKeysApply() async throws {
        let boot = try await Self.boot([
            ("USERNAME", Self.user), ("PASSWORD", "has:colon"), ("SSH_PUBLIC_KEY", try Self.key("demo_ed25519.pub")),
        ])
        let run = try await boot.agent(["run"])
        #expect(run.status == 1, "stdout: \(run.standardOutput)\nstderr: \(run.standardError)")
        let key = try Self.key("demo_ed25519.pub")
        #expect(boot.root.read("home/\(Self.user)/.ssh/authorized_keys")?.contains(key) == true)
        let hash = FirstBootEndToEndTests.shadowHash(boot.root, user: Self.user)
        #expect(hash?.hasPrefix("$") != true, "a password was set: \(hash ?? "nil")")
        #expect(!(boot.root.read("var/log/guest-agent.log") ?? "").contains("has:colon"))
    }

    @Test(.enabled(if: enabled, "needs root, losetup, genisoimage, useradd and chpasswd: skipped (CI runs as root)"))
    func aContextShFileWithACommandIsRefusedNamingTheLine() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-opennebula")
        let root = try UsersRealToolsRoot.make()
        let stage = work.path + "/stage"
        let marker = work.path + "/MARKER"
        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: true)
        try Data("SET_HOSTNAME='x'\nHOSTNAME=$(touch \(marker))\n".utf8).write(
            to: URL(fileURLWithPath: stage + "/context.sh"))
        let image = work.path + "/context.iso"
        try ConfigDriveImages.check(
            await Program.tool("genisoimage", ["-quiet", "-J", "-R", "-V", "CONTEXT", "-o", image, stage]),
            "genisoimage")
        let loop = try await OpenNebulaContextDrive.Loop(image: image)
        try await loop.node(in: root)
        let config = try work.write(
            "metadata_services = opennebula\nplugins = hostname\ndiscovery_timeout = 5\n", to: "agent.conf")
        let run = try await Program.agent(["run"], config: config, root: root.path)
        #expect(run.status == 2, "stdout: \(run.standardOutput)\nstderr: \(run.standardError)")
        #expect((run.standardOutput + run.standardError).contains("context.sh line 2"))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
