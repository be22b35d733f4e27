import AgentBase
import Foundation
import HostEffects
import TestSupport
import Testing

/// `AtomicFileWriter.makeSymbolicLink`: how cloud-config's `timezone` points /etc/localtime at
/// the root's zoneinfo without writing outside the root or leaving a moment with no link.
@Suite struct SymbolicLinkWriteTests {
    @Test func replacesALinkOrAFileAndLeavesNoTemporaryName() throws {
        let root = try TemporaryDirectory()
        let writer = AtomicFileWriter(root: SystemRoot(root.path))
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        try writer.makeSymbolicLink(at: "/etc/localtime", pointingTo: "/usr/share/zoneinfo/UTC")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: root.path + "/etc/localtime")
                == "/usr/share/zoneinfo/UTC")
        try writer.makeSymbolicLink(at: "/etc/localtime", pointingTo: "/usr/share/zoneinfo/Europe/Paris")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: root.path + "/etc/localtime")
                == "/usr/share/zoneinfo/Europe/Paris")
        try root.write("a file\n", to: "etc/other")
        try writer.makeSymbolicLink(at: "/etc/other", pointingTo: "/x")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root.path + "/etc/other") == "/x")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.path + "/etc").sorted() == ["localtime", "other"])
    }

    @Test func aLinkedParentIsRefusedAndNothingIsWrittenThrough() throws {
        let root = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: root.path + "/etc", withDestinationPath: outside.path)
        #expect(throws: HostError.self) {
            try AtomicFileWriter(root: SystemRoot(root.path)).makeSymbolicLink(at: "/etc/localtime", pointingTo: "/x")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }
}
