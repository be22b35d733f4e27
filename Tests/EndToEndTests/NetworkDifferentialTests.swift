import Foundation
import TestSupport
import Testing

/// Issue 30: the agent against cloud-init 22.4.2 on the network descriptions cloud-init's own
/// tests carry (Tests/NetworkDifferential/samples, extracted by its extract.py). The built
/// agent renders every sample with every renderer through `guest-agent run --root` (a config
/// drive directory under the root, the sample's NICs faked in the root's /sys/class/net);
/// Tests/NetworkDifferential/harness.py renders cloud-init's files from its Debian package
/// (unpacked, never installed), reads both sides with one parser per backend into one model
/// and fails on any difference from cloud-init's network config v1 that decisions.json does
/// not document.
@Suite(.serialized) struct NetworkDifferentialTests {
    static let directory = BuiltProducts.repository.appendingPathComponent("Tests/NetworkDifferential")
    static let renderers = ["eni", "netplan", "networkd", "networkmanager"]
    /// Debian's Python: cloud-init's package is built for it, with python3-yaml,
    /// python3-requests and python3-configobj from scripts/setup.sh.
    static let python = "/usr/bin/python3"

    static var canRun: Bool {
        FileManager.default.isExecutableFile(atPath: python) && Program.which("dpkg") != nil
            && Program.which("apt-get") != nil
    }

    struct Sample {
        let id: String
        let format: String
        let guestNICs: [String: String]
        let licence: String
        let input: Data
    }

    static func samples() throws -> [Sample] {
        let folder = directory.appendingPathComponent("samples")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
            .sorted()
            .map { name in
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                let format = try #require(object["format"] as? String)
                let input = try #require(object["network_data"])
                let origin = try #require(object["origin"] as? [String: Any])
                return Sample(
                    id: String(name.dropLast(".json".count)), format: format,
                    guestNICs: try #require(object["guest_nics"] as? [String: String]),
                    licence: origin["licence"] as? String ?? "",
                    input: try JSONSerialization.data(withJSONObject: input, options: [.sortedKeys]))
            }
    }

    /// `guest-agent run --root ROOT` with `plugins = network` and `renderer`: a config drive
    /// directory (`/stage`) holding the sample as `network_data.json` beside the default
    /// fixtures' `meta_data.json`, and one `/sys/class/net/NAME/address` per guest NIC.
    static func renderWithAgent(_ sample: Sample, renderer: String, root: String) async throws -> ProgramResult {
        let latest = root + "/stage/openstack/latest"
        try FileManager.default.createDirectory(atPath: latest, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: BuiltProducts.defaultFixtures + "/openstack/latest/meta_data.json",
            toPath: latest + "/meta_data.json")
        try sample.input.write(to: URL(fileURLWithPath: latest + "/network_data.json"))
        return try await runNetworkPlugin(root: root, guestNICs: sample.guestNICs, renderer: renderer)
    }

    /// Fakes each guest NIC (MAC -> name) in the root's /sys/class/net and runs the built agent
    /// with only the network plugin, `renderer`, and `source` (the config drive directory
    /// `/stage` unless told otherwise).
    static func runNetworkPlugin(
        root: String, guestNICs: [String: String], renderer: String,
        source: String = "metadata_services = configdrive\nconfigdrive_paths = /stage"
    ) async throws -> ProgramResult {
        for (mac, name) in guestNICs {
            try FileManager.default.createDirectory(
                atPath: root + "/sys/class/net/" + name, withIntermediateDirectories: true)
            try Data((mac + "\n").utf8).write(to: URL(fileURLWithPath: root + "/sys/class/net/\(name)/address"))
        }
        let config = root + "/agent.conf"
        try Data(
            """
            \(source)
            plugins = network
            network_renderer = \(renderer)

            """.utf8
        ).write(to: URL(fileURLWithPath: config))
        return try await Program.agent(["run"], config: config, root: root)
    }

    @Test func theSamplesAreCloudInitsTwentyOne() throws {
        let samples = try Self.samples()
        #expect(samples.count == 21, "\(samples.map(\.id))")
        #expect(samples.allSatisfy { $0.format == "network_data.json" })
        let readme = try String(contentsOf: Self.directory.appendingPathComponent("README.md"), encoding: .utf8)
        for sample in samples { #expect(readme.contains(sample.id), "README.md does not list \(sample.id)") }
        // Every origin says where the sample comes from and under which licence.
        for sample in samples { #expect(sample.licence.contains("Apache-2.0"), "\(sample.id): no licence") }
    }

    /// Each documented difference (decisions.json) has its line, with the reason, in the top
    /// README: a decision nobody can read is not a decision.
    @Test func everyDecisionIsInTheREADME() throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent("decisions.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let decisions = try #require(object["decisions"] as? [[String: Any]])
        let readme = try String(
            contentsOf: BuiltProducts.repository.appendingPathComponent("README.md"), encoding: .utf8)
        for decision in decisions {
            let id = try #require(decision["id"] as? String)
            #expect(readme.contains("`\(id)`"), "README.md has no line for decision \(id)")
            #expect((decision["reason"] as? String)?.isEmpty == false, "decision \(id) has no reason")
        }
    }

    @Test(
        .enabled(
            if: canRun, "needs Debian's /usr/bin/python3, dpkg and apt-get (cloud-init's package): skipped"),
        .timeLimit(.minutes(15)))
    func agentMeansWhatCloudInitMeans() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-netdiff")
        for sample in try Self.samples() {
            for renderer in Self.renderers {
                let root = work.path + "/agent/\(sample.id)/\(renderer)"
                let run = try await Self.renderWithAgent(sample, renderer: renderer, root: root)
                #expect(
                    run.status == 0,
                    "\(sample.id) \(renderer): the agent refused it: \(run.standardOutput)\n\(run.standardError)")
            }
        }
        let check = try await Program.run(
            Self.python,
            [
                Self.directory.appendingPathComponent("harness.py").path, "check", "--agent", work.path + "/agent",
                "--work", work.path + "/cloud-init",
            ], timeout: 600)
        print(check.standardOutput)
        #expect(
            check.status == 0,
            "harness.py check: undocumented differences from cloud-init (or the reference failed):\n\(check.standardOutput)\n\(check.standardError)"
        )
    }
}
