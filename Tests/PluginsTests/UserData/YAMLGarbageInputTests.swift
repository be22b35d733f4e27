import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

@testable import Plugins

/// Generated garbage for the YAML parser and the cloud-config reader: YAML tokens in random
/// order and indentation, and the parser table's valid documents with random edits. Each
/// input must end in a value or a `YAMLError` (`CloudConfigError` for the reader); a trap
/// kills the test process, which is the failure signal. Fixed seeds: a failure reproduces.
extension PluginsGarbageInputTests {
    static let yamlTokens: [String] = [
        "- ", "-", "key: ", "a:", ":", " ", "  ", "    ", "\n", "\n  ", "\n    ", "\r\n", "\t", "[", "]", "{", "}", ",",
        "'", "''", "\"", "\\", "\\u", "\\x4", "\\U0010FFFF", "|", ">", "|-", "|+", ">2", "|9", "#", " # c", "&a ", "*a",
        "!", "!!str ", "?", "? ", "%YAML 1.1", "---", "...", "--- ", "~", "null", "yes", "0644", "0x", "1:30", ".inf",
        "1.5e+3", "\u{FEFF}", "é", "🙂", "\0", "#cloud-config\n", "runcmd:", "write_files:", "users:",
    ]

    static func yamlDocument(_ rng: inout SplitMix64) -> String {
        if rng.chance(40) {
            // A valid document from the table with a few random edits.
            var scalars = Array(rng.pick(YAMLParserCases.cases.map(\.yaml)).unicodeScalars)
            for _ in 0..<rng.int(in: 1...4) {
                let position = scalars.isEmpty ? 0 : rng.below(scalars.count + 1)
                let token = Array(rng.pick(yamlTokens).unicodeScalars)
                switch rng.below(3) {
                case 0: scalars.insert(contentsOf: token, at: position)
                case 1: if position < scalars.count { scalars.remove(at: position) }
                default:
                    if position < scalars.count { scalars.replaceSubrange(position...position, with: token) }
                }
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars)
            return String(text)
        }
        if rng.chance(3) { return String(repeating: rng.pick(yamlTokens), count: rng.int(in: 100...5000)) }
        return (0..<rng.int(in: 0...40)).map { _ in
            rng.chance(85) ? rng.pick(yamlTokens) : Garbage.text(&rng, maxAtoms: 3)
        }.joined()
    }

    @Test func randomYAMLGivesAValueOrALocatedError() {
        var rng = SplitMix64(seed: 0x5941_4D4C)
        var parsed = 0
        var refused = 0
        for _ in 0..<5000 {
            let document = Self.yamlDocument(&rng)
            do {
                _ = try YAMLParser.parse(document)
                parsed += 1
            } catch let error as YAMLError {
                #expect(error.line >= 1 && error.column >= 1 && !error.problem.isEmpty, "\(error)")
                refused += 1
            } catch {
                Issue.record("not a YAMLError: \(error)")
            }
            do {
                _ = try CloudConfig(Data(document.utf8))
            } catch is CloudConfigError {
            } catch {
                Issue.record("not a CloudConfigError: \(error)")
            }
        }
        // Both outcomes must occur, or the generator tests nothing.
        #expect(parsed > 100 && refused > 100, "parsed \(parsed), refused \(refused)")
    }
}
