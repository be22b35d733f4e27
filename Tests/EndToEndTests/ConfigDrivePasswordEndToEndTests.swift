import Foundation
import TestSupport
import Testing

/// A config drive wins discovery and the nova metadata service answers beside it: the
/// random password is set with the real useradd/chpasswd in a scratch root and POSTed to
/// nova; with no answer, nothing changes and the log says why.
@Suite(.serialized) struct ConfigDrivePasswordEndToEndTests {
    struct Setup {
        let work: TemporaryDirectory
        let root: TemporaryDirectory
        let server: MockServerProcess
        let config: String

        func agent(_ arguments: [String]) async throws -> ProgramResult {
            try await Program.agent(arguments, config: config, root: root.path, timeout: 120)
        }

        var passwordRequests: [String] {
            server.loggedRequests().compactMap { request in
                guard let path = request["path"] as? String, path.hasSuffix("/password") else { return nil }
                return "\(request["method"] as? String ?? "?") \(path)"
            }
        }

        var log: String { root.read("var/log/guest-agent.log") ?? "" }

        func passwordRow() async throws -> [String: Any] {
            let status = try await agent(["status", "--json"])
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
            #expect(json["source"] as? String == "configdrive")
            let plugins = try #require(json["plugins"] as? [[String: Any]])
            return try #require(plugins.first { $0["plugin"] as? String == "password" })
        }
    }

    /// The default fixtures as a config drive directory at /mnt/config in a root with the real
    /// account tools, and the mock server (with `serverArguments`) as nova's metadata service.
    static func setup(serverArguments: [String] = [], metaData: ((inout [String: Any]) -> Void)? = nil) async throws
        -> Setup
    {
        let work = try TemporaryDirectory(prefix: "guest-agent-drive-password")
        let root = try UsersRealToolsRoot.make()
        let drive = try ConfigDriveImages.stage(in: work) { stage in
            guard let metaData else { return }
            for version in ["latest", "2013-04-04", "2015-10-15", "2018-08-27", "2012-08-10"] {
                let path = stage + "/openstack/\(version)/meta_data.json"
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
                metaData(&object)
                try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
            }
        }
        try FileManager.default.createDirectory(atPath: root.path + "/mnt", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: drive, toPath: root.path + "/mnt/config")
        let server = try await MockServerProcess(
            fixtures: BuiltProducts.defaultFixtures, arguments: serverArguments, logDirectory: work.path)
        let config = try work.write(
            """
            metadata_services = configdrive, openstack
            configdrive_paths = /mnt/config
            metadata_base_url = \(server.baseURL.absoluteString)/
            request_timeout = 1
            retry_count_interval = 0.05
            plugins = users, password, ssh_keys
            log_file = /var/log/guest-agent.log
            """, to: "agent.conf")
        return Setup(work: work, root: root, server: server, config: config)
    }

    @Test(.enabled(if: FirstBootEndToEndTests.enabled, "needs root, useradd and chpasswd: skipped (CI runs as root)"))
    func thePasswordIsPostedToNovaAndIsTheOneInShadow() async throws {
        let setup = try await Self.setup()
        let run = try await setup.agent(["run"])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        #expect(try await setup.passwordRow()["status"] as? String == "done")
        #expect(setup.passwordRequests == ["GET /openstack/latest/password", "POST /openstack/latest/password"])
        let posted = try await FirstBootEndToEndTests.postedPassword(setup.server)
        let decrypted = try await KeyFactory.opensslDecrypt(
            posted, keyPath: FirstBootEndToEndTests.keys.appendingPathComponent("demo_rsa").path)
        #expect(decrypted.status == 0, "\(decrypted.standardError)")
        let password = decrypted.standardOutput
        let hash = try #require(FirstBootEndToEndTests.shadowHash(setup.root, user: "cloud-admin"))
        let salt = String(hash.split(separator: "$")[1])
        let check = try await Program.tool(
            "openssl", ["passwd", "-6", "-salt", salt, "-stdin"], input: Data((password + "\n").utf8))
        #expect(check.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == hash)
        #expect(!setup.log.contains(password))
        // The next boot: nothing asked, nothing changed (the earlier requests include this test's own GET).
        let before = setup.passwordRequests
        #expect(try await setup.agent(["run"]).status == 0)
        #expect(FirstBootEndToEndTests.shadowHash(setup.root, user: "cloud-admin") == hash)
        #expect(setup.passwordRequests == before)
    }

    @Test(.enabled(if: FirstBootEndToEndTests.enabled, "needs root, useradd and chpasswd: skipped (CI runs as root)"))
    func withNovaDownNoPasswordIsSetAndTheLogSaysWhy() async throws {
        let setup = try await Self.setup()
        setup.server.stop()
        let run = try await setup.agent(["run"])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        let row = try await setup.passwordRow()
        #expect(row["status"] as? String == "skipped")
        let reason = row["reason"] as? String ?? ""
        #expect(reason.contains("nova metadata service did not answer"))
        #expect(reason.contains(setup.server.baseURL.absoluteString + "/openstack/latest/password"))
        #expect(setup.log.contains("nova metadata service did not answer"))
        let hash = FirstBootEndToEndTests.shadowHash(setup.root, user: "cloud-admin")
        #expect(hash?.hasPrefix("$") != true, "no password was set: \(hash ?? "nil")")
    }

    @Test(.enabled(if: FirstBootEndToEndTests.enabled, "needs root, useradd and chpasswd: skipped (CI runs as root)"))
    func aHangingNovaEndsAtTheRequestTimeoutWithOneRequest() async throws {
        let setup = try await Self.setup(serverArguments: ["--hang", "GET /openstack/latest/password"])
        let run = try await setup.agent(["run"])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        let row = try await setup.passwordRow()
        #expect(row["status"] as? String == "skipped")
        // request_timeout = 1 in the configuration: the reason names it.
        #expect((row["reason"] as? String ?? "").contains("within 1.0 s"), "\(row)")
        #expect(setup.passwordRequests == ["GET /openstack/latest/password"], "one GET, no retry")
        #expect(FirstBootEndToEndTests.shadowHash(setup.root, user: "cloud-admin")?.hasPrefix("$") != true)
    }

    @Test(.enabled(if: FirstBootEndToEndTests.enabled, "needs root, useradd and chpasswd: skipped (CI runs as root)"))
    func aDryRunAsksButPostsNothing() async throws {
        let setup = try await Self.setup()
        let run = try await setup.agent(["run", "--dry-run"])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        #expect(run.standardOutput.contains("to \(setup.server.baseURL.absoluteString)/openstack/latest/password"))
        #expect(setup.passwordRequests == ["GET /openstack/latest/password"])
        #expect(try await FirstBootEndToEndTests.postedPassword(setup.server) == "")
    }

    @Test(.enabled(if: FirstBootEndToEndTests.enabled, "needs root, useradd and chpasswd: skipped (CI runs as root)"))
    func anAdminPassOnTheDriveIsSetAndNovaIsNotAsked() async throws {
        let setup = try await Self.setup(metaData: { $0["admin_pass"] = "Drive-Given-Pass-1" })
        let run = try await setup.agent(["run"])
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
        #expect(setup.passwordRequests.isEmpty)
        let hash = try #require(FirstBootEndToEndTests.shadowHash(setup.root, user: "cloud-admin"))
        let salt = String(hash.split(separator: "$")[1])
        let check = try await Program.tool(
            "openssl", ["passwd", "-6", "-salt", salt, "-stdin"], input: Data("Drive-Given-Pass-1\n".utf8))
        #expect(check.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == hash)
    }
}
