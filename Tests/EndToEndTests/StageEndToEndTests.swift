import Foundation
import TestSupport
import Testing

/// `run --stage local` then `run --stage network`, as the two units run them, against the
/// built agent: with a config drive (a real ISO made by genisoimage) and without one.
@Suite(.serialized) struct StageEndToEndTests {
    struct Setup {
        let work: TemporaryDirectory
        let root: TemporaryDirectory
        let server: MockServerProcess
        let config: String

        func agent(_ arguments: [String]) async throws -> ProgramResult {
            try await Program.agent(arguments, config: config, root: root.path)
        }

        func status() async throws -> [String: Any] {
            let status = try await agent(["status", "--json"])
            return try #require(
                try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
        }

        /// plugin -> "stage status" for every row of `status --json`.
        func rows() async throws -> [String: String] {
            var rows: [String: String] = [:]
            for row in try await status()["plugins"] as? [[String: Any]] ?? [] {
                rows[row["plugin"] as? String ?? "?"] =
                    "\(row["stage"] as? String ?? "-") \(row["status"] as? String ?? "-")"
            }
            return rows
        }
    }

    static func setup(withDrive: Bool) async throws -> Setup {
        let work = try TemporaryDirectory(prefix: "guest-agent-stages")
        let root = try PluginTestContext.makeRoot(users: ["cloud-admin"])
        var drivePaths = ""
        if withDrive {
            let stage = try ConfigDriveImages.stage(in: work) { stage in
                // The drive names the host differently from the metadata server, so the
                // test can tell which source each stage used.
                let meta = stage + "/openstack/latest/meta_data.json"
                let text = try String(contentsOfFile: meta, encoding: .utf8).replacingOccurrences(
                    of: "demo-instance.novalocal", with: "from-drive.novalocal")
                for version in ["latest", "2012-08-10", "2013-04-04", "2015-10-15", "2018-08-27"] {
                    try text.write(
                        toFile: stage + "/openstack/\(version)/meta_data.json", atomically: true, encoding: .utf8)
                }
            }
            try await ConfigDriveImages.iso(from: stage, to: root.path + "/config-2.iso")
            drivePaths = "configdrive_paths = /config-2.iso"
        }
        let server = try await MockServerProcess(fixtures: BuiltProducts.defaultFixtures, logDirectory: work.path)
        let config = try work.write(
            """
            metadata_services = configdrive, openstack
            \(drivePaths)
            metadata_base_url = \(server.baseURL.absoluteString)/
            retry_count_interval = 0.05
            plugins = hostname, ssh_keys, files
            """, to: "agent.conf")
        return Setup(work: work, root: root, server: server, config: config)
    }

    @Test(.enabled(if: ConfigDriveImages.toolsPresent, "needs genisoimage (scripts/setup.sh installs it)"))
    func withAConfigDriveTheLocalStageRunsItsPluginsBeforeTheNetwork() async throws {
        let setup = try await Self.setup(withDrive: true)
        let local = try await setup.agent(["run", "--stage", "local"])
        #expect(local.status == 0, "\(local.standardOutput)\n\(local.standardError)")
        #expect(setup.root.read("etc/hostname") == "from-drive\n")
        #expect(setup.server.loggedRequests().isEmpty, "the local stage must not touch the network")
        #expect(
            setup.root.read("home/cloud-admin/.ssh/authorized_keys") == nil, "ssh_keys belongs to the network stage")
        #expect(try await setup.rows() == ["hostname": "local done"])

        let network = try await setup.agent(["run", "--stage", "network"])
        #expect(network.status == 0, "\(network.standardOutput)\n\(network.standardError)")
        #expect(setup.root.read("home/cloud-admin/.ssh/authorized_keys")?.contains("ssh-rsa ") == true)
        #expect(setup.root.read("etc/guest-agent-demo/motd") != nil)
        // The drive wins discovery in the network stage too; the local plugins are not run again.
        #expect(try await setup.status()["source"] as? String == "configdrive")
        #expect(
            try await setup.rows() == ["hostname": "local done", "ssh_keys": "network done", "files": "network done"])
        #expect(
            network.standardOutput.contains("stage local: 1 plugin(s)")
                && network.standardOutput.contains("stage network: 2 plugin(s)"))
    }

    @Test func withoutAConfigDriveTheLocalStageEndsAtOnceAndTheNetworkStageDoesEverything() async throws {
        let setup = try await Self.setup(withDrive: false)
        let local = try await setup.agent(["run", "--stage", "local"])
        #expect(local.status == 0, "\(local.standardOutput)\n\(local.standardError)")
        #expect(
            local.standardOutput.contains(
                "stage local: no local source (config drive): the network stage does everything"))
        #expect(setup.root.read("etc/hostname") == nil)
        #expect(setup.server.loggedRequests().isEmpty)

        let network = try await setup.agent(["run", "--stage", "network"])
        #expect(network.status == 0, "\(network.standardOutput)\n\(network.standardError)")
        #expect(setup.root.read("etc/hostname") == "demo-instance\n")
        #expect(
            try await setup.rows() == ["hostname": "network done", "ssh_keys": "network done", "files": "network done"])
    }

    @Test func withoutStageBothRunInOrder() async throws {
        let setup = try await Self.setup(withDrive: false)
        let run = try await setup.agent(["run"])
        #expect(run.status == 0, "\(run.standardOutput)")
        #expect(
            run.standardOutput.contains("stage local: no local source")
                && run.standardOutput.contains("stage network: 3 plugin(s)"))
        #expect(
            try await setup.rows() == ["hostname": "network done", "ssh_keys": "network done", "files": "network done"])
        // A second boot of the same instance: nothing runs again.
        let again = try await setup.agent(["run", "--stage", "network"])
        #expect(again.status == 0)
        #expect(
            try await setup.rows() == [
                "hostname": "network already-done", "ssh_keys": "network already-done", "files": "network already-done",
            ])
    }

    @Test func anUnknownStageIsAUsageError() async throws {
        let setup = try await Self.setup(withDrive: false)
        let run = try await setup.agent(["run", "--stage", "early"])
        #expect(run.status == 64)
        #expect(run.standardError.contains("early"))
    }
}
