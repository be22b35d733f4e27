import Foundation
import TestSupport
import Testing

@testable import AgentBase

/// Random well-formed documents of the shapes cloud-config uses (nested block mappings and
/// sequences, compact `- key: value` entries, sequences at their key's indentation, flow
/// collections, block scalars, tricky plain and quoted scalars), read by our parser and by
/// PyYAML: every one must give the same value, or both refuse it. Fixed seed: a difference
/// reproduces.
@Suite(.enabled("needs python3 with PyYAML (apt python3-yaml; scripts/setup.sh)") { await PyYAMLPresence.check() })
struct YAMLDifferentialTests {
    static let plainScalars = [
        "a", "hello world", "yes", "No", "off", "0644", "08", "1.5", "-3", "0x1F", "1:30", "~", "null", ".inf",
        "http://x:80/p#f", "/etc/hosts", "ALL=(ALL) NOPASSWD:ALL", "ssh-rsa AAAA user@host", "1.0e+3", "é日本",
    ]
    static let quotedScalars = [
        "'it''s'", "\"a\\tb\\n\"", "'x: y'", "\"# not a comment\"", "''", "\"\\u00e9\"", "'- a'",
    ]

    static func scalar(_ rng: inout SplitMix64) -> String {
        rng.chance(75) ? rng.pick(plainScalars) : rng.pick(quotedScalars)
    }

    static func key(_ rng: inout SplitMix64, _ used: inout Set<String>) -> String {
        var key: String
        repeat {
            key = rng.pick(["name", "path", "content", "groups", "runcmd", "k\(rng.below(50))", "a b", "x-y"])
        } while used.contains(key)
        used.insert(key)
        return key
    }

    static func flow(_ rng: inout SplitMix64, depth: Int) -> String {
        if depth > 1 || rng.chance(60) {
            return "["
                + (0..<rng.int(in: 0...3)).map { _ in
                    depth < 2 && rng.chance(20)
                        ? flow(&rng, depth: depth + 1)
                        : rng.pick(plainScalars.filter { !$0.contains(":") && !$0.contains("#") })
                }.joined(separator: ", ") + "]"
        }
        var used = Set<String>()
        return "{"
            + (0..<rng.int(in: 0...3)).map { _ in "\(key(&rng, &used)): \(rng.pick(["1", "x", "[a, b]", "'q'"]))" }
            .joined(separator: ", ") + "}"
    }

    /// The value after `key:` or `- ` (on the same line, or a block on the next lines at `indent`).
    static func value(_ rng: inout SplitMix64, indent: Int, depth: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        switch depth > 3 ? 0 : rng.below(6) {
        case 0, 1: return " " + scalar(&rng) + "\n"
        case 2: return " " + flow(&rng, depth: 0) + "\n"
        case 3:
            let header = rng.pick(["|", "|-", "|+", ">", ">-"])
            let lines = (0..<rng.int(in: 1...3)).map { _ in
                pad + rng.pick(["line one", "  indented", "", "#!/bin/sh", "x: y"])
            }
            return " " + header + "\n" + lines.joined(separator: "\n") + "\n"
        case 4: return "\n" + mapping(&rng, indent: indent, depth: depth + 1)
        default: return "\n" + sequence(&rng, indent: indent, depth: depth + 1)
        }
    }

    static func mapping(_ rng: inout SplitMix64, indent: Int, depth: Int) -> String {
        var used = Set<String>()
        let pad = String(repeating: " ", count: indent)
        return (0..<rng.int(in: 1...3)).map { _ in
            pad + key(&rng, &used) + ":" + value(&rng, indent: indent + 2, depth: depth)
        }.joined()
    }

    static func sequence(_ rng: inout SplitMix64, indent: Int, depth: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return (0..<rng.int(in: 1...3)).map { _ in
            if rng.chance(30) && depth < 4 {
                // A compact mapping: its first key on the `- ` line, the others under it.
                let body = mapping(&rng, indent: indent + 2, depth: depth + 1)
                return pad + "- " + String(body.dropFirst(indent + 2))
            }
            return pad + "-" + value(&rng, indent: indent + 2, depth: depth)
        }.joined()
    }

    @Test func ourParserAndPyYAMLAgreeOnRandomDocuments() async throws {
        var rng = SplitMix64(seed: 0x5959_414D)
        let documents = (0..<600).map { _ in
            (rng.chance(50) ? "#cloud-config\n" : "") + Self.mapping(&rng, indent: 0, depth: 0)
        }
        let theirs = try await YAMLPyYAMLTests.pyYAML(documents)
        var differences = 0
        for (document, their) in zip(documents, theirs) {
            let ours: String?
            do {
                ours = YAMLPyYAMLTests.canonical(try YAMLParser.parse(document))
            } catch {
                ours = nil
            }
            if ours != their {
                differences += 1
                if differences <= 5 {
                    Issue.record("differs:\n\(document)\nours: \(ours ?? "error")\nPyYAML: \(their ?? "error")")
                }
            }
        }
        #expect(differences == 0, "\(differences) of \(documents.count) documents differ")
        // The generator writes mostly valid YAML (not every random block scalar is): if PyYAML
        // refused many documents, agreeing would say little.
        let readByPyYAML = theirs.compactMap { $0 }.count
        #expect(readByPyYAML * 10 >= documents.count * 9, "PyYAML read \(readByPyYAML) of \(documents.count)")
    }
}
