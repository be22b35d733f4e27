import Foundation
import TestSupport
import Testing

@testable import Plugins

/// cloud-init's own schema as the oracle for what a cloud-config document may say (issue 25):
/// cloud-init 22.4.2's validator (Tests/CloudConfigDifferential/schema.py, its package
/// unpacked) judges every example its modules document and every document in
/// Tests/CloudConfigDifferential/documents/ (`bad-*` the ones it refuses), and the agent's
/// reader must agree:
/// - a document cloud-init accepts is read: each key applied or reported as not supported;
/// - a document cloud-init rejects for a key the agent applies is refused, naming one of the
///   keys cloud-init names; a rejection for a key the agent does not apply is reported as
///   that key not supported (never applied);
/// - YAML cloud-init's loader refuses, the agent refuses.
@Suite(.ownThread(.computes)) struct CloudConfigSchemaDifferentialTests {
    static let python = "/usr/bin/python3"
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("CloudConfigDifferential")

    static var canRun: Bool {
        FileManager.default.isExecutableFile(atPath: python) && Program.which("dpkg") != nil
            && Program.which("apt-get") != nil
    }

    struct Verdict {
        let name: String
        let text: String
        /// The top-level keys cloud-init's schema finds fault with.
        let rejectedKeys: Set<String>
        let errors: [String]
        let yamlError: String?
    }

    static func verdicts() async throws -> [Verdict] {
        let run = try await Program.run(
            python,
            [
                directory.appendingPathComponent("schema.py").path, "verdicts", "--documents",
                directory.appendingPathComponent("documents").path,
            ], timeout: 300)
        try #require(run.status == 0, "schema.py: \(run.standardError)")
        let list = try #require(
            try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[String: Any]])
        return try list.map { entry in
            let errors = (entry["errors"] as? [[String]]) ?? []
            return Verdict(
                name: try #require(entry["name"] as? String), text: try #require(entry["text"] as? String),
                rejectedKeys: Set(errors.map { topLevelKey($0[0]) }), errors: errors.map { "\($0[0]): \($0[1])" },
                yamlError: entry["yaml_error"] as? String)
        }
    }

    /// `users.0.shell` → `users`; the agent's `write_files[2] ...` → `write_files`.
    static func topLevelKey(_ path: String) -> String {
        String(path.prefix { $0 != "." && $0 != "[" && $0 != " " })
    }

    /// (document, key) pairs cloud-init's schema rejects and the agent applies on purpose
    /// (decisions.json, each with why).
    static func decisions() throws -> Set<String> {
        let data = try Data(contentsOf: directory.appendingPathComponent("decisions.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = try #require(object["decisions"] as? [[String: String]])
        return Set(
            try entries.map { entry in
                #expect(!(entry["why"] ?? "").isEmpty, "a decision says why: \(entry)")
                return "\(try #require(entry["document"])):\(try #require(entry["key"]))"
            })
    }

    @Test(.enabled(if: canRun, "needs Debian's /usr/bin/python3, dpkg and apt-get (cloud-init's package): skipped"))
    func theAgentReadsWhatCloudInitsSchemaAcceptsAndRefusesWhatItRejects() async throws {
        let verdicts = try await Self.verdicts()
        let decisions = try Self.decisions()
        var used: Set<String> = []
        #expect(verdicts.filter { $0.name.hasPrefix("example:") }.count >= 100, "cloud-init's module examples")
        #expect(verdicts.contains { !$0.rejectedKeys.isEmpty }, "the documents include ones cloud-init rejects")
        var disagreements: [String] = []
        for verdict in verdicts {
            // The corpus says what it holds: `bad-*` documents are the ones cloud-init refuses.
            let refused = !verdict.rejectedKeys.isEmpty || verdict.yamlError != nil
            if verdict.name.hasPrefix("bad-") != refused {
                disagreements.append("\(verdict.name): cloud-init \(refused ? "refuses" : "accepts") it: name it so")
            }
            let read = Result { try CloudConfig(Data(verdict.text.utf8)) }
            switch (read, verdict.yamlError) {
            case (.success, let yamlError?):
                disagreements.append(
                    "\(verdict.name): cloud-init's YAML loader refuses it (\(yamlError)), the agent reads it")
            case (.failure(let error), nil) where verdict.rejectedKeys.isEmpty:
                disagreements.append("\(verdict.name): cloud-init accepts it, the agent refuses it: \(error)")
            case (.failure(CloudConfigError.type(let key, _)), nil):
                if !verdict.rejectedKeys.contains(Self.topLevelKey(key)) {
                    disagreements.append(
                        "\(verdict.name): the agent refuses '\(key)', cloud-init rejects only \(verdict.errors)")
                }
            case (.success(let config), nil):
                // A system key that does not read (`SystemKeys.problems`) is refused by name;
                // where cloud-init accepts it, that is a decision ("stricter") or a disagreement.
                for key in Set(config.system.problems.map(\.key)).subtracting(verdict.rejectedKeys).sorted() {
                    if decisions.contains("\(verdict.name):\(key)") {
                        used.insert("\(verdict.name):\(key)")
                    } else {
                        disagreements.append("\(verdict.name): cloud-init accepts '\(key)', the agent refuses it")
                    }
                }
                var applied = verdict.rejectedKeys.subtracting(config.unknownKeys)
                    .subtracting(config.system.problems.map(\.key))
                for key in applied where decisions.contains("\(verdict.name):\(key)") {
                    used.insert("\(verdict.name):\(key)")
                    applied.remove(key)
                }
                if !applied.isEmpty {
                    disagreements.append(
                        "\(verdict.name): cloud-init rejects \(verdict.errors), the agent applies \(applied.sorted())")
                }
            case (.failure, _?):
                break  // both refuse the YAML
            case (.failure(let error), nil):
                disagreements.append("\(verdict.name): the agent refuses it (\(error)), cloud-init: \(verdict.errors)")
            }
        }
        #expect(used == decisions, "decisions no document needs any more: \(decisions.subtracting(used).sorted())")
        #expect(
            disagreements.isEmpty, "\(disagreements.count) disagreement(s):\n\(disagreements.joined(separator: "\n"))")
    }
}
