import AgentBase
import DataSources
import Foundation
import HostEffects
import Plugins
import TestSupport
import Testing

/// Regressions from the second hostile probe (issue 29) that the host layer and the state
/// store answer: each test failed before its fix.
@Suite struct SecondProbeRegressionTests {
    /// Item 4: a temporary file a killed run left under the name this process would have
    /// used (PIDs repeat) made every later write of that file fail with "File exists".
    @Test func aLeftoverTemporaryFileWithThisPIDNeitherBlocksTheWriteNorStays() throws {
        let root = try TemporaryDirectory()
        let writer = AtomicFileWriter(root: SystemRoot(root.path))
        try writer.makeDirectory("/var/lib/guest-agent", mode: 0o700)
        let leftovers = [
            "/var/lib/guest-agent/.last-run.json.guest-agent.\(getpid()).tmp",
            "/var/lib/guest-agent/.last-run.json.guest-agent.1.tmp",
        ]
        for leftover in leftovers { try root.write("half a file", to: String(leftover.dropFirst())) }
        let unrelated = "var/lib/guest-agent/.other.json.guest-agent.7.tmp"
        try root.write("another file's leftover", to: unrelated)

        try writer.write(Data("{}".utf8), to: "/var/lib/guest-agent/last-run.json", mode: 0o600)

        #expect(try String(contentsOfFile: root.path + "/var/lib/guest-agent/last-run.json", encoding: .utf8) == "{}")
        for leftover in leftovers {
            #expect(!FileManager.default.fileExists(atPath: root.path + leftover), "\(leftover) was cleaned")
        }
        #expect(FileManager.default.fileExists(atPath: root.path + "/" + unrelated), "only this file's leftovers go")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path + "/var/lib/guest-agent")
        #expect(names.sorted() == [".other.json.guest-agent.7.tmp", "last-run.json"])
    }

    /// Item 8: `fchown` after `fchmod` cleared the setuid and setgid bits: 4755 became 0755.
    @Test(
        .enabled(if: Program.isRoot, "needs root to give a file to another owner: skipped (CI runs as root)"),
        arguments: [0o4755, 0o2755, 0o6755, 0o1777, 0o0640] as [mode_t])
    func aFileGivenToAnOwnerKeepsItsSetuidAndSetgidBits(mode: mode_t) throws {
        let root = try TemporaryDirectory()
        let writer = AtomicFileWriter(root: SystemRoot(root.path))
        try writer.makeDirectory("/usr/local/bin")
        try writer.write(
            Data("#!/bin/sh\n".utf8), to: "/usr/local/bin/tool", mode: mode, owner: FileOwner(uid: 1000, gid: 1000))
        var info = stat()
        #expect(lstat(root.path + "/usr/local/bin/tool", &info) == 0)
        #expect(info.st_mode & 0o7777 == mode, "mode \(String(info.st_mode & 0o7777, radix: 8))")
        #expect(info.st_uid == 1000 && info.st_gid == 1000)
    }

    /// Item 7: ids over 128 bytes that shared their first 100 shared one state file, so
    /// alternating two such instances re-ran every per-instance plugin.
    @Test func twoLongInstanceIDsWithTheSameStartKeepTheirOwnState() throws {
        let root = try TemporaryDirectory()
        let store = StateStore(root: SystemRoot(root.path), directory: "/var/lib/guest-agent")
        let common = String(repeating: "i", count: 120)
        let ids = [
            common + "-first", common + "-second", String(repeating: "é", count: 80) + "a",
            String(repeating: "é", count: 80) + "b",
        ]
        for id in ids {
            var state = InstanceState(instanceID: id)
            state.completedPlugins["users"] = Date(timeIntervalSince1970: 1_800_000_000)
            try store.saveInstance(state)
        }
        for id in ids {
            #expect(try store.loadInstance(id).completedPlugins["users"] != nil, "\(id.prefix(20))... kept its state")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path + "/var/lib/guest-agent/instances")
        #expect(Set(names).count == ids.count)
        #expect(names.allSatisfy { $0.utf8.count < 255 }, "a file name fits every file system")
    }

    /// Item 7: an instance saved under the old name of a long id keeps its state after the upgrade.
    @Test func aLongIDSavedUnderTheOldNameIsStillRead() throws {
        let root = try TemporaryDirectory()
        let store = StateStore(root: SystemRoot(root.path), directory: "/var/lib/guest-agent")
        let id = String(repeating: "z", count: 140)
        var state = InstanceState(instanceID: id)
        state.completedPlugins["password"] = Date(timeIntervalSince1970: 1_800_000_000)
        let oldName = "x-" + id.utf8.prefix(100).map { String(format: "%02x", $0) }.joined() + ".json"
        try root.write(
            String(decoding: try StateStore.encoder.encode(state), as: UTF8.self),
            to: "var/lib/guest-agent/instances/" + oldName)
        #expect(try store.loadInstance(id).completedPlugins["password"] != nil)
        #expect(try store.loadInstance(id + "-other").completedPlugins.isEmpty)
    }
}
