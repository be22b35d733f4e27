import Foundation
import TestSupport
import Testing

/// The whole default pipeline with the real tools (useradd, chpasswd) in a scratch root,
/// the built binaries, and the real openssl decrypting what was posted.
@Suite(.serialized) struct FirstBootEndToEndTests {
    static var enabled: Bool { Program.isRoot && Program.which("useradd") != nil && Program.which("chpasswd") != nil }
    static let keys = BuiltProducts.repository.appendingPathComponent("fixtures/keys")

    struct Setup {
        let work: TemporaryDirectory
        let root: TemporaryDirectory
        var server: MockServerProcess
        let config: String

        func agent(_ arguments: [String]) async throws -> ProgramResult {
            try await Program.agent(arguments, config: config, root: root.path, timeout: 120)
        }
    }

    static func setup(serverArguments: [String] = [], fixtures: String = BuiltProducts.defaultFixtures) async throws
        -> Setup
    {
        let work = try TemporaryDirectory(prefix: "guest-agent-firstboot")
        let root = try UsersRealToolsRoot.make()
        let server = try await MockServerProcess(
            fixtures: fixtures,
            arguments: serverArguments, logDirectory: work.path)
        let config = try work.write(
            """
            metadata_services = openstack
            metadata_base_url = \(server.baseURL.absoluteString)/
            retry_count = 1
            retry_count_interval = 0.05
            log_file = /var/log/guest-agent.log
            """, to: "agent.conf")
        return Setup(work: work, root: root, server: server, config: config)
    }

    static func postedPassword(_ server: MockServerProcess) async throws -> String {
        let result = try await Program.tool(
            "curl", ["-s", server.baseURL.absoluteString + "/openstack/latest/password"])
        return result.standardOutput
    }

    static func shadowHash(_ root: TemporaryDirectory, user: String) -> String? {
        root.read("etc/shadow")?.split(separator: "\n").first { $0.hasPrefix(user + ":") }.map {
            String($0.split(separator: ":")[1])
        }
    }

    @Test(.enabled(if: enabled, "needs root, useradd and chpasswd: skipped (CI runs as root)"))
    func defaultPipelineCreatesTheUserAndPublishesARetrievablePassword() async throws {
        let setup = try await Self.setup()
        let run = try await setup.agent(["run"])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        // The user exists, has the key, and its password is the one nova would hand out.
        #expect(setup.root.read("etc/passwd")?.contains("cloud-admin:x:") == true)
        #expect(setup.root.read("home/cloud-admin/.ssh/authorized_keys")?.contains("ssh-rsa ") == true)
        #expect(
            setup.root.read("etc/guest-agent-demo/motd") == "Welcome to demo-instance: configured by guest-agent.\n")
        // User data runs by default (the fixture's is a cloud-config, which needs no shell in
        // this bare root), and its final_message ends the run with its placeholders filled.
        #expect(
            setup.root.read("etc/guest-agent-demo/user-data.txt")
                == "written by demo-instance's user data (cloud-config write_files)\n")
        let version = try await Program.run(BuiltProducts.path("guest-agent"), ["version"]).standardOutput
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            run.standardOutput.contains("demo-instance: user data done by \(version) (openstack) at "),
            "\(run.standardOutput)")
        let posted = try await Self.postedPassword(setup.server)
        let decrypted = try await KeyFactory.opensslDecrypt(
            posted, keyPath: Self.keys.appendingPathComponent("demo_rsa").path)
        #expect(decrypted.status == 0)
        let password = decrypted.standardOutput
        let hash = try #require(Self.shadowHash(setup.root, user: "cloud-admin"))
        let salt = String(hash.split(separator: "$")[1])
        let check = try await Program.tool(
            "openssl", ["passwd", "-6", "-salt", salt, "-stdin"], input: Data((password + "\n").utf8))
        #expect(check.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == hash)
        // Our own decrypt-password agrees, with the OpenSSH-format key.
        let ours = try await Program.run(
            BuiltProducts.path("guest-agent"),
            ["decrypt-password", "--key", Self.keys.appendingPathComponent("demo_rsa.openssh").path, "-"],
            input: Data(posted.utf8))
        #expect(ours.standardOutput == password + "\n")
        // The password is nowhere: not in output, the log, the state directory, or query.
        let log = setup.root.read("var/log/guest-agent.log") ?? ""
        #expect(!log.isEmpty && !log.contains(password))
        #expect(!run.standardOutput.contains(password) && !run.standardError.contains(password))
        // -e: a generated password may start with "-".
        let state = try await Program.tool(
            "grep", ["-r", "-F", "-e", password, setup.root.path + "/var/lib/guest-agent"])
        #expect(state.status == 1)
        // Second boot: nothing changes.
        #expect(try await setup.agent(["run"]).status == 0)
        #expect(Self.shadowHash(setup.root, user: "cloud-admin") == hash)
    }

    @Test(.enabled(if: enabled, "needs root, useradd and chpasswd: skipped (CI runs as root)"))
    func killedBetweenSettingAndPostingThenRunAgainPublishesTheSamePassword() async throws {
        // The POST hangs, so the agent is killed after chpasswd and before publishing.
        var setup = try await Self.setup(serverArguments: ["--hang", "POST /openstack/latest/password"])
        let process = try Program.start(
            BuiltProducts.path("guest-agent"), ["run", "--config", setup.config, "--root", setup.root.path])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !(Self.shadowHash(setup.root, user: "cloud-admin")?.hasPrefix("$6$") ?? false) {
            try await Task.sleep(for: .milliseconds(20))
        }
        // Wait for the POST to be in flight, then kill -9.
        while Date() < deadline && !setup.server.loggedRequests().contains(where: { $0["method"] as? String == "POST" })
        { try await Task.sleep(for: .milliseconds(20)) }
        kill(process.processIdentifier, SIGKILL)
        await Program.exit(of: process)
        let hashAfterCrash = try #require(Self.shadowHash(setup.root, user: "cloud-admin"))
        #expect(hashAfterCrash.hasPrefix("$6$"))
        #expect(try await Self.postedPassword(setup.server) == "")

        // Reboot: the cloud side answers now.
        setup.server.stop()
        setup.server = try await MockServerProcess(
            fixtures: BuiltProducts.defaultFixtures,
            port: setup.server.baseURL.port ?? 0, logDirectory: setup.work.path)
        let run = try await setup.agent(["run"])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        #expect(Self.shadowHash(setup.root, user: "cloud-admin") == hashAfterCrash)
        let posted = try await Self.postedPassword(setup.server)
        let password = try await KeyFactory.opensslDecrypt(
            posted, keyPath: Self.keys.appendingPathComponent("demo_rsa").path
        )
        .standardOutput
        let salt = String(hashAfterCrash.split(separator: "$")[1])
        let check = try await Program.tool(
            "openssl", ["passwd", "-6", "-salt", salt, "-stdin"], input: Data((password + "\n").utf8))
        #expect(check.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == hashAfterCrash)
    }
}
