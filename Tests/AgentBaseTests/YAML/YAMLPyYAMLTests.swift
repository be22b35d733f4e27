import Foundation
import TestSupport
import Testing

@testable import AgentBase

/// PyYAML (`yaml.safe_load`, the loader cloud-init uses) on the same table as
/// `YAMLParserTests`: it must read every case as our table says (so the table is PyYAML's
/// behaviour, not our guess) and reject every invalid case we reject (except the constructs
/// we refuse on purpose, which PyYAML reads).
@Suite(.enabled("needs python3 with PyYAML (apt python3-yaml; scripts/setup.sh)") { await PyYAMLPresence.check() })
struct YAMLPyYAMLTests {
    /// Reads a JSON list of documents on stdin; prints a JSON list with, for each, the
    /// canonical text of its value (`canonical` below, the same rules) or null if it fails.
    static let script = #"""
        import json, math, sys, yaml
        def canon(v):
            if v is None: return "~"
            if v is True: return "b:true"
            if v is False: return "b:false"
            if isinstance(v, int): return "i:%d" % v
            if isinstance(v, float):
                if math.isnan(v): return "f:nan"
                if math.isinf(v): return "f:inf" if v > 0 else "f:-inf"
                return "f:" + repr(v)
            if isinstance(v, str): return "s%d:%s" % (len(v), v)
            if isinstance(v, bytes): return "x:" + v.hex()
            if isinstance(v, list): return "[" + ",".join(canon(x) for x in v) + "]"
            if isinstance(v, dict): return "{" + ",".join(canon(str(k)) + "=" + canon(v[k]) for k in sorted(v, key=str)) + "}"
            return "?" + type(v).__name__
        out = []
        for doc in json.load(sys.stdin):
            try:
                out.append(canon(yaml.safe_load(doc)))
            except yaml.YAMLError:
                out.append(None)
        print(json.dumps(out))
        """#

    static func canonical(_ value: YAMLValue?) -> String {
        switch value {
        case nil, .null?: return "~"
        case .bool(let flag)?: return flag ? "b:true" : "b:false"
        case .int(let number)?: return "i:\(number)"
        case .double(let number)?:
            if number.isNaN { return "f:nan" }
            if number.isInfinite { return number > 0 ? "f:inf" : "f:-inf" }
            return "f:\(number)"
        case .string(let text)?: return "s\(text.unicodeScalars.count):\(text)"
        case .binary(let bytes)?: return "x:" + bytes.map { String(format: "%02x", $0) }.joined()
        case .list(let items)?: return "[" + items.map { canonical($0) }.joined(separator: ",") + "]"
        case .map(let entries)?:
            return "{"
                + entries.keys.sorted().map { canonical(.string($0)) + "=" + canonical(entries[$0]!) }
                .joined(separator: ",") + "}"
        }
    }

    static func pyYAML(_ documents: [String]) async throws -> [String?] {
        let input = try JSONEncoder().encode(documents)
        let result = try await Program.tool("python3", ["-c", script], input: input)
        try #require(result.status == 0, "python3: \(result.standardError)")
        return try JSONDecoder().decode([String?].self, from: Data(result.standardOutput.utf8))
    }

    @Test func pyYAMLReadsEveryCaseAsTheTableSays() async throws {
        let cases = YAMLParserCases.cases.filter(\.pyYAMLAgrees)
        let theirs = try await Self.pyYAML(cases.map(\.yaml))
        for (item, their) in zip(cases, theirs) {
            #expect(their == Self.canonical(item.expected), "\(item.name)")
        }
    }

    @Test func pyYAMLRejectsWhatWeReject() async throws {
        let failures = YAMLParserCases.failures
        let theirs = try await Self.pyYAML(failures.map(\.yaml))
        for (item, their) in zip(failures, theirs) {
            if item.refusedByChoice {
                #expect(their != nil, "\(item.name): PyYAML reads it, we refuse it on purpose")
            } else {
                #expect(their == nil, "\(item.name): PyYAML reads \(their ?? "")")
            }
        }
    }
}

/// Whether `python3 -c "import yaml"` works on this machine.
enum PyYAMLPresence {
    static func check() async -> Bool {
        guard let python = Program.which("python3") else { return false }
        return (try? await Program.run(python, ["-c", "import yaml"]))?.status == 0
    }
}
