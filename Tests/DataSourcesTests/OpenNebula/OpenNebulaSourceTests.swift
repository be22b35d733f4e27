import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// The source over places that are not loop devices: cloud-init's seed directory, an ISO image
/// file named as a candidate, an ISO with another label, a root with nothing.
@Suite(.enabled(if: Program.which("genisoimage") != nil, "needs genisoimage")) struct OpenNebulaSourceTests {
    @Test func theSeedDirectoryIsRead() async throws {
        let root = try TemporaryDirectory()
        try root.write(
            OpenNebulaContextDrive.contextFile([("SET_HOSTNAME", "seeded"), ("PASSWORD", "x")]),
            to: "var/lib/cloud/seed/opennebula/context.sh")
        let metadata = try #require(try await OpenNebulaSource(root: SystemRoot(root.path)).load())
        #expect(metadata.hostname == "seeded")
        #expect(metadata.sourceLocation == "/var/lib/cloud/seed/opennebula")
        #expect(metadata.platformPassword?.secret == .clearText("x"))
    }

    /// Under a scratch root (never `.live`: the scan of this machine's block devices would
    /// find the end-to-end suite's CONTEXT loop device when the suites run in parallel).
    @Test func anISOLabelledCONTEXTIsReadAndAnotherLabelIsNot() async throws {
        let root = try TemporaryDirectory()
        try await OpenNebulaContextDrive.iso([("HOSTNAME", "from-iso")], in: root, output: root.path + "/context.iso")
        let source = OpenNebulaSource(root: SystemRoot(root.path), configuredPaths: ["/context.iso"])
        let metadata = try #require(try await source.load())
        #expect(metadata.hostname == "from-iso")
        #expect(metadata.sourceLocation == "/context.iso")

        try ConfigDriveImages.check(
            await Program.tool(
                "genisoimage",
                ["-quiet", "-J", "-R", "-V", "config-2", "-o", root.path + "/other.iso", root.path + "/context-stage"]),
            "genisoimage")
        #expect(try await OpenNebulaSource(root: SystemRoot(root.path), configuredPaths: ["/other.iso"]).load() == nil)
    }

    @Test func nothingAnywhereIsNil() async throws {
        let root = try TemporaryDirectory()
        #expect(try await OpenNebulaSource(root: SystemRoot(root.path)).load() == nil)
    }

    @Test func aBrokenContextIsANamedErrorOfTheSource() async throws {
        let root = try TemporaryDirectory()
        try root.write("A='1'\nB=`id`\n", to: "var/lib/cloud/seed/opennebula/context.sh")
        let error = await #expect(throws: DataSourceError.self) {
            try await OpenNebulaSource(root: SystemRoot(root.path)).load()
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("context.sh line 2"))
    }
}
