import Foundation
import Testing

/// The agent's targets are layers (docs/ARCHITECTURE.md): each imports only the layers below
/// it, so the base never learns about sources, the sources never change the machine, and no
/// plugin code can reach the runtime or the command line. An import that goes the wrong way
/// fails here with its file and line, before it can grow into a cycle SwiftPM would refuse.
@Suite struct LayerImportRuleTests {
    /// Every module of this package an agent target may import; anything of ours not listed is
    /// a layering violation. C shims are listed where they are used.
    static let allowedImports: [String: Set<String>] = [
        "AgentBase": [],
        "HostEffects": ["AgentBase"],
        "PasswordCrypto": [],
        "DataSources": ["AgentBase", "CCurl"],
        "Plugins": ["AgentBase", "HostEffects", "DataSources", "PasswordCrypto", "CShadowCrypt", "CZlib"],
        "GuestAgent": [
            "AgentBase", "HostEffects", "DataSources", "PasswordCrypto", "Plugins", "CProcessArguments", "CGlibcFloor",
            "CStartupMemory",
        ],
    ]

    /// The package's own modules: only these are checked (Foundation, Logging... are not ours).
    static let ownModules: Set<String> = [
        "AgentBase", "HostEffects", "PasswordCrypto", "DataSources", "Plugins", "GuestAgent", "MockMetadataKit",
        "TestSupport", "CCurl", "CGlibcFloor", "CProcessArguments", "CShadowCrypt", "CStartupMemory", "CZlib",
    ]

    static let sourcesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// The modules `text` imports, with their 1-based line numbers (`@testable` and attributes
    /// such as `@preconcurrency` included).
    static func imports(in text: String) -> [(line: Int, module: String)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { offset, line in
            let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
            guard words.count >= 2, words[0] == "import" else { return nil }
            return (offset + 1, String(words[1].split(separator: ".")[0]))
        }
    }

    /// The imports in `text` that `target` may not make.
    static func violations(in text: String, target: String) -> [(line: Int, module: String)] {
        let allowed = allowedImports[target] ?? []
        return imports(in: text).filter { ownModules.contains($0.module) && !allowed.contains($0.module) }
    }

    @Test func theRuleSeesAnUpwardImport() {
        let text = "import AgentBase\n@testable import Plugins\nimport Logging\n// import GuestAgent\n"
        #expect(Self.violations(in: text, target: "DataSources").map(\.line) == [2])
        #expect(Self.violations(in: text, target: "GuestAgent").isEmpty)
        #expect(Self.violations(in: "import HostEffects\n", target: "DataSources").map(\.module) == ["HostEffects"])
    }

    @Test func everyAgentTargetIsListed() throws {
        let targets = try FileManager.default.contentsOfDirectory(atPath: Self.sourcesDirectory.path)
            .filter { !$0.hasPrefix("C") && !$0.hasPrefix("Mock") }
        #expect(Set(targets) == Set(Self.allowedImports.keys), "a new target needs its place in the layers")
    }

    @Test(arguments: allowedImports.keys.sorted())
    func targetImportsOnlyLowerLayers(target: String) throws {
        let directory = Self.sourcesDirectory.appendingPathComponent(target)
        let files = try #require(FileManager.default.enumerator(atPath: directory.path), "no \(directory.path)")
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty, "no Swift files under \(directory.path)")
        for file in files {
            let text = try String(contentsOfFile: directory.appendingPathComponent(file).path, encoding: .utf8)
            for violation in Self.violations(in: text, target: target) {
                Issue.record(
                    """
                    Sources/\(target)/\(file):\(violation.line): imports \(violation.module), which is not \
                    below \(target) in the layers (docs/ARCHITECTURE.md)
                    """)
            }
        }
    }
}
