import Foundation
import TestSupport
import Testing

@testable import AgentBase

/// Our parser against the table of `YAMLParserCases`: every construct, every error with
/// its line and column.
@Suite struct YAMLParserTests {
    @Test(arguments: YAMLParserCases.cases.map(\.name))
    func readsTheConstruct(_ name: String) throws {
        let item = try #require(YAMLParserCases.cases.first { $0.name == name })
        #expect(try YAMLParser.parse(item.yaml) == item.expected, "\(item.name)")
    }

    @Test(arguments: YAMLParserCases.failures.map(\.name))
    func refusesWithLineAndColumn(_ name: String) throws {
        let item = try #require(YAMLParserCases.failures.first { $0.name == name })
        do {
            let value = try YAMLParser.parse(item.yaml)
            Issue.record("\(item.name): parsed as \(String(describing: value))")
        } catch let error as YAMLError {
            #expect(error.line == item.line && error.column == item.column, "\(item.name): \(error)")
            #expect(error.problem.hasPrefix(item.problem), "\(item.name): \(error)")
        }
    }

    @Test func aDuplicatedKeyIsAWarningWithItsLine() throws {
        let document = try YAMLParser.load("a: 1\nb:\n  c: x\n  c: y\na: 2\n")
        #expect(document.value == .map(["a": .int(2), "b": .map(["c": .string("y")])]))
        #expect(
            document.warnings.map(\.description) == [
                "line 4, column 3: duplicated key \"c\": the last value is used",
                "line 5, column 1: duplicated key \"a\": the last value is used",
            ])
        #expect(try YAMLParser.load("a: 1\nb: 2\n").warnings.isEmpty)
    }

    @Test func aMillionDuplicatedKeysCostOneLineMore() throws {
        let count = 100_000
        let document = try YAMLParser.load(String(repeating: "k: v\n", count: count))
        #expect(document.warnings.count == YAMLParser.maxWarnings + 1)
        #expect(document.warnings.last?.problem == "and \(count - 1 - YAMLParser.maxWarnings) more duplicated keys")
    }

    @Test func nestingIsBounded() throws {
        let deepFlow = String(repeating: "[", count: YAMLParser.maxDepth + 1)
        #expect(throws: YAMLError.self) { try YAMLParser.parse(deepFlow) }
        let okFlow =
            String(repeating: "[", count: YAMLParser.maxDepth) + String(repeating: "]", count: YAMLParser.maxDepth)
        #expect(try YAMLParser.parse(okFlow) != nil)
        let deepBlock = (0...YAMLParser.maxDepth).map { String(repeating: " ", count: $0) + "k:" }.joined(
            separator: "\n")
        do {
            _ = try YAMLParser.parse(deepBlock)
            Issue.record("a block nesting of \(YAMLParser.maxDepth + 1) levels was accepted")
        } catch let error as YAMLError {
            #expect(error.problem.contains("nested deeper"), "\(error)")
            #expect(error.line == YAMLParser.maxDepth + 1)
        }
    }

    @Test func sizeIsBounded() {
        let big = String(repeating: "a", count: YAMLParser.maxBytes + 1)
        #expect(
            throws: YAMLError(line: 1, column: 1, problem: "the document is larger than \(YAMLParser.maxBytes) bytes")
        ) {
            try YAMLParser.parse(big)
        }
    }

    /// Long inputs of the shapes that make naive scanners quadratic finish (a hang would
    /// time the suite out): many keys, one long line of flow items, many unclosed quotes.
    @Test func largeInputsStayLinear() throws {
        let keys = (0..<20000).map { "key\($0): value \($0)" }.joined(separator: "\n")
        guard case .map(let entries)? = try YAMLParser.parse(keys) else {
            Issue.record("not a mapping")
            return
        }
        #expect(entries.count == 20000)
        let flow = "[" + Array(repeating: "x", count: 50000).joined(separator: ", ") + "]"
        guard case .list(let items)? = try YAMLParser.parse(flow) else {
            Issue.record("not a list")
            return
        }
        #expect(items.count == 50000)
        // Quotes that pair up across lines, the last one unterminated: parsed or refused, in time.
        _ = try? YAMLParser.parse(String(repeating: "- \"\n", count: 20001))
        _ = try? YAMLParser.parse(String(repeating: "\"a\": [\"\n", count: 20001))
    }

    @Test func errorsNeverQuoteTheDocument() throws {
        for item in YAMLParserCases.failures {
            do {
                _ = try YAMLParser.parse(item.yaml.replacingOccurrences(of: "x", with: "SECRET"))
            } catch let error as YAMLError {
                #expect(!error.description.contains("SECRET"), "\(item.name): \(error)")
            }
        }
    }
}
