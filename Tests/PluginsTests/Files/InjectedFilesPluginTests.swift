import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

@Suite struct InjectedFilesPluginTests {
    @Test func writesFilesAtomicallyWithStrictModes() async throws {
        let root = try PluginTestContext.makeRoot()
        var metadata = PluginTestContext.sampleMetadata()
        metadata.files = [
            InjectedFile(path: "/etc/app/config.ini", contents: Data("a=1\n".utf8)),
            InjectedFile(path: "/opt/token", contents: Data([0, 1, 2])),
        ]
        #expect(try await InjectedFilesPlugin().planAndApply(PluginTestContext.context(metadata, root: root)) == .done)
        #expect(root.read("etc/app/config.ini") == "a=1\n")
        #expect(try root.attributes("etc/app/config.ini").mode == 0o600)
        #expect(FileManager.default.contents(atPath: root.path + "/opt/token") == Data([0, 1, 2]))
    }

    @Test func refusedEntriesFailTheRunAndWriteNothingForThem() async throws {
        let root = try PluginTestContext.makeRoot()
        let outside = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: root.path + "/escape", withDestinationPath: outside.path)
        var metadata = PluginTestContext.sampleMetadata()
        metadata.files = [
            InjectedFile(path: "/etc/good", contents: Data("ok".utf8)),
            InjectedFile(path: "/escape/evil", contents: Data("x".utf8)),
            InjectedFile(path: "/etc/../../outside", contents: Data("x".utf8)),
        ]
        metadata.refusedFiles = [RefusedFile(path: "../../etc/shadow", reason: "path must be absolute")]
        await #expect {
            try await InjectedFilesPlugin().planAndApply(PluginTestContext.context(metadata, root: root))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("refused 3 injected file(s): ../../etc/shadow (path must be absolute)")
                && text.contains("/escape/evil (refusing to write through a symbolic link at \(root.path)/escape)")
                && text.contains("/etc/../../outside (unsafe path")
        }
        #expect(root.read("etc/good") == "ok")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: (root.path as NSString).deletingLastPathComponent + "/outside"))
    }
}
