import Foundation
import TestSupport
import Testing

/// The network inputs besides network_data.json against cloud-init 22.4.2's own converters
/// (Tests/NetworkDifferential/samples-inputs): cloud-init's documented network config v1 and
/// v2 examples (extract_docs.py), Proxmox VE's layouts (proxmox_samples.py) and every case of
/// test_net.py's `NETWORK_CONFIGS` (extract_test_net.py). ENI samples
/// go through the built agent as Proxmox's config drive carries them (meta_data.json's
/// `network_config.content_path`); network config v1/v2 as NoCloud's `network-config` in the
/// seed directory, also through the built agent. harness.py then compares by meaning, as for
/// network_data.json (NetworkDifferentialTests).
@Suite(.serialized) struct NetworkInputDifferentialTests {
    static let directory = NetworkDifferentialTests.directory
    static let folder = directory.appendingPathComponent("samples-inputs")

    struct Sample {
        let id: String
        let format: String
        let guestNICs: [String: String]
        let licence: String
        /// ENI text, or the network config as JSON text.
        let input: String
        /// What the agent's refusal must say, for a sample it refuses on purpose.
        let agentRefuses: String?
    }

    static func samples() throws -> [Sample] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
            .map { name in
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                let format = try #require(object["format"] as? String)
                let input: String
                if format == "eni" {
                    input = try #require(object["eni"] as? String)
                } else {
                    let config = try #require(object["network_config"])
                    input = String(
                        decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]),
                        as: UTF8.self)
                }
                let origin = try #require(object["origin"] as? [String: Any])
                return Sample(
                    id: String(name.dropLast(".json".count)), format: format,
                    guestNICs: try #require(object["guest_nics"] as? [String: String]),
                    licence: origin["licence"] as? String ?? "", input: input,
                    agentRefuses: (object["agent_refuses"] as? [String: Any])?["error"] as? String)
            }
    }

    /// ENI text on a config drive directory as Proxmox writes it (`openstack/content/0000`,
    /// meta_data.json pointing there, no network_data.json), through `guest-agent run --root`.
    static func renderENIWithAgent(_ sample: Sample, renderer: String, root: String) async throws -> ProgramResult {
        let openstack = root + "/stage/openstack"
        try FileManager.default.createDirectory(atPath: openstack + "/latest", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: openstack + "/content", withIntermediateDirectories: true)
        try Data(
            #"{"uuid": "5e1f0000-0000-4000-8000-000000000001", "network_config": {"content_path": "/content/0000"}}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: openstack + "/latest/meta_data.json"))
        try Data(sample.input.utf8).write(to: URL(fileURLWithPath: openstack + "/content/0000"))
        return try await NetworkDifferentialTests.runNetworkPlugin(
            root: root, guestNICs: sample.guestNICs, renderer: renderer)
    }

    /// A v1 or v2 sample as NoCloud's `network-config` in the root's seed directory, read by
    /// the built agent as on a real first boot.
    static func renderNetworkConfigWithAgent(_ sample: Sample, renderer: String, root: String) async throws
        -> ProgramResult
    {
        let seed = root + "/var/lib/cloud/seed/nocloud"
        try FileManager.default.createDirectory(atPath: seed, withIntermediateDirectories: true)
        try Data("instance-id: iid-\(sample.id)\n".utf8).write(to: URL(fileURLWithPath: seed + "/meta-data"))
        try Data(sample.input.utf8).write(to: URL(fileURLWithPath: seed + "/network-config"))
        return try await NetworkDifferentialTests.runNetworkPlugin(
            root: root, guestNICs: sample.guestNICs, renderer: renderer, source: "metadata_services = nocloud")
    }

    @Test func everySampleIsListedWithItsOrigin() throws {
        let samples = try Self.samples()
        #expect(samples.count == 47, "\(samples.map(\.id))")
        #expect(Set(samples.map(\.format)) == ["network-config-v1", "network-config-v2", "eni"])
        let readme = try String(contentsOf: Self.directory.appendingPathComponent("README.md"), encoding: .utf8)
        for sample in samples {
            #expect(readme.contains(sample.id), "README.md does not list \(sample.id)")
            #expect(!sample.licence.isEmpty, "\(sample.id): no licence")
        }
    }

    @Test func whatTheAgentRefusesOnPurposeItRefusesByName() async throws {
        let refused = try Self.samples().filter { $0.agentRefuses != nil }
        #expect(!refused.isEmpty)
        let work = try TemporaryDirectory(prefix: "guest-agent-netinput-refused")
        for sample in refused {
            let outcome = try await NetworkInputRendering.render(
                networkConfig: sample.input, renderer: "netplan", nics: sample.guestNICs,
                into: work.path + "/" + sample.id)
            guard case .refused(let message) = outcome else {
                Issue.record("\(sample.id): not refused: \(outcome)")
                continue
            }
            #expect(message.contains(sample.agentRefuses!), "\(sample.id): \(message)")
        }
    }

    @Test(
        .enabled(
            if: NetworkDifferentialTests.canRun,
            "needs Debian's /usr/bin/python3, dpkg and apt-get (cloud-init's package): skipped"),
        .timeLimit(.minutes(15)))
    func agentMeansWhatCloudInitMeans() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-netinput-diff")
        for sample in try Self.samples() where sample.agentRefuses == nil {
            for renderer in NetworkDifferentialTests.renderers {
                let root = work.path + "/agent/\(sample.id)/\(renderer)"
                if sample.format == "eni" {
                    let run = try await Self.renderENIWithAgent(sample, renderer: renderer, root: root)
                    #expect(
                        run.status == 0,
                        "\(sample.id) \(renderer): the agent refused it: \(run.standardOutput)\n\(run.standardError)")
                } else {
                    let run = try await Self.renderNetworkConfigWithAgent(sample, renderer: renderer, root: root)
                    #expect(
                        run.status == 0,
                        "\(sample.id) \(renderer): the agent refused it: \(run.standardOutput)\n\(run.standardError)")
                }
            }
        }
        let check = try await Program.run(
            NetworkDifferentialTests.python,
            [
                Self.directory.appendingPathComponent("harness.py").path, "check", "--samples", Self.folder.path,
                "--agent", work.path + "/agent", "--work", work.path + "/cloud-init",
            ], timeout: 600)
        print(check.standardOutput)
        #expect(
            check.status == 0,
            "harness.py check: undocumented differences from cloud-init (or the reference failed):\n\(check.standardOutput)\n\(check.standardError)"
        )
    }
}
