import Foundation
import HostEffects
import TestSupport
import Testing

/// `CommandOptions.outputFile`: both streams into one file, no size cap, never through a link.
@Suite(.ownThread(.timesDeadlines)) struct CommandRunnerOutputFileTests {
    let runner = SubprocessCommandRunner(tools: ToolLocator(root: .live), outputLimit: 1024)

    @Test func bothStreamsGoToTheFileWithoutTheCap() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/out.log"
        let result = try await runner.run(
            ["/bin/sh", "-c", "echo one; echo two >&2; head -c 5000 /dev/zero"], standardInput: nil,
            options: CommandOptions(outputFile: file))
        #expect(result.exitCode == 0 && result.standardOutput.isEmpty && result.standardError.isEmpty)
        let data = try #require(FileManager.default.contents(atPath: file))
        #expect(data.prefix(8) == Data("one\ntwo\n".utf8) && data.count == 8 + 5000)
        #expect(try directory.attributes("out.log").mode == 0o600)
    }

    @Test func aSymbolicLinkAtTheOutputFileIsRefused() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("keep", to: "target")
        try FileManager.default.createSymbolicLink(
            atPath: directory.path + "/out.log", withDestinationPath: directory.path + "/target")
        await #expect(throws: HostError.self) {
            try await runner.run(
                ["/bin/sh", "-c", "echo x"], standardInput: nil,
                options: CommandOptions(outputFile: directory.path + "/out.log"))
        }
        #expect(directory.read("target") == "keep")
    }
}
