import Foundation
import Testing

/// The agent's targets import FoundationEssentials only (issue 12, docs/ARCHITECTURE.md): one
/// `import Foundation` (corelibs Foundation) in any of them makes the static release binary
/// link FoundationInternationalization and ICU's 34 MB of data, even for a single `NSLock()`.
/// `scripts/check-static-binary.sh` catches it after a release build; this catches it in every
/// test run, naming the file and line.
@Suite struct FoundationImportRuleTests {
    static let agentTargets = ["AgentBase", "HostEffects", "PasswordCrypto", "DataSources", "Plugins", "GuestAgent"]

    static let sourcesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// The lines of `text` that import corelibs Foundation, as 1-based line numbers.
    static func foundationImports(in text: String) -> [Int] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { $0.element == "import Foundation" }
            .map { $0.offset + 1 }
    }

    @Test func theRuleSeesFoundationButNotFoundationEssentials() {
        let text = "import DataSources\nimport Foundation\nimport FoundationEssentials\n// import Foundation\n"
        #expect(Self.foundationImports(in: text) == [2])
    }

    @Test(arguments: agentTargets)
    func agentTargetImportsFoundationEssentialsOnly(target: String) throws {
        let directory = Self.sourcesDirectory.appendingPathComponent(target)
        let files = try #require(FileManager.default.enumerator(atPath: directory.path), "no \(directory.path)")
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty, "no Swift files under \(directory.path)")
        for file in files {
            let text = try String(contentsOfFile: directory.appendingPathComponent(file).path, encoding: .utf8)
            for line in Self.foundationImports(in: text) {
                Issue.record(
                    """
                    Sources/\(target)/\(file):\(line): `import Foundation` links corelibs Foundation and \
                    ICU's 34 MB of data into guest-agent; import FoundationEssentials (and Glibc) instead
                    """)
            }
        }
    }
}
