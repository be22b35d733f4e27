import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct ConfigDriveSourceTests {
    static let enabled = ConfigDriveImages.toolsPresent

    static func source(_ paths: [String], root: String = "") -> ConfigDriveSource {
        ConfigDriveSource(locator: ConfigDriveLocator(root: SystemRoot(root), configuredPaths: paths))
    }

    /// Rewrites meta_data.json in every version directory of a staged drive.
    static func editMeta(_ stage: String, _ edit: (inout [String: Any]) -> Void) throws {
        for version in try FileManager.default.contentsOfDirectory(atPath: stage + "/openstack")
        where version != "content" {
            let path = stage + "/openstack/\(version)/meta_data.json"
            var meta = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            edit(&meta)
            try JSONSerialization.data(withJSONObject: meta).write(to: URL(fileURLWithPath: path))
        }
    }

    @Test func aMountedDirectoryIsASource() async throws {
        let work = try TemporaryDirectory()
        let stage = try ConfigDriveImages.stage(in: work)
        let metadata = try #require(try await Self.source([stage]).load())
        #expect(metadata.sourceID == "configdrive")
        #expect(metadata.instanceID == "4b2c7d8e-1f3a-4c5b-9d6e-7f8091a2b3c4")
        #expect(metadata.passwordPublication == .none)
        #expect(
            metadata.files == [
                InjectedFile(
                    path: "/etc/guest-agent-demo/motd",
                    contents: Data("Welcome to demo-instance: configured by guest-agent.\n".utf8))
            ])
    }

    @Test func symlinksOnADirectoryDriveAreRefused() async throws {
        let work = try TemporaryDirectory()
        let stage = try ConfigDriveImages.stage(in: work)
        try FileManager.default.removeItem(atPath: stage + "/openstack/content/0000")
        try FileManager.default.createSymbolicLink(
            atPath: stage + "/openstack/content/0000", withDestinationPath: "/etc/hostname")
        await #expect { try await Self.source([stage]).load() } throws: {
            "\($0)".contains("symbolic link on the config drive")
        }
    }

    @Test(.enabled(if: enabled, "needs genisoimage, mkfs.vfat and mtools"), arguments: ["iso", "vfat"])
    func imageFilesAreReadWithAdminPassAndVersions(kind: String) async throws {
        let work = try TemporaryDirectory()
        let stage = try ConfigDriveImages.stage(in: work) { stage in
            try Self.editMeta(stage) { $0["admin_pass"] = "Drive-Given-1" }
        }
        let image = work.path + "/drive.\(kind)"
        if kind == "iso" {
            try await ConfigDriveImages.iso(from: stage, to: image)
        } else {
            try await ConfigDriveImages.vfat(from: stage, to: image)
        }
        let metadata = try #require(try await Self.source(["/nonexistent", image]).load())
        #expect(metadata.adminPassword == "Drive-Given-1")
        #expect(metadata.network != nil && metadata.userData != nil)
    }

    @Test(.enabled(if: enabled, "needs genisoimage")) func aDriveWithAnotherLabelIsNotUsed() async throws {
        let work = try TemporaryDirectory()
        let stage = try ConfigDriveImages.stage(in: work)
        let image = work.path + "/other.iso"
        try await ConfigDriveImages.iso(from: stage, to: image, label: "not-config")
        #expect(try await Self.source([image]).load() == nil)
    }

    @Test func hostileFilesEntriesAreRefusedAndNothingIsReadForThem() async throws {
        let work = try TemporaryDirectory()
        let stage = try ConfigDriveImages.stage(in: work) { stage in
            try Self.editMeta(stage) { meta in
                meta["files"] = [
                    ["path": "/etc/ok.conf", "content_path": "/content/0000"],
                    ["path": "../../etc/shadow", "content_path": "/content/0000"],
                    ["path": "/etc/../root/.ssh/authorized_keys", "content_path": "/content/0000"],
                    ["path": "/etc/stolen", "content_path": "/content/../../../etc/passwd"],
                    ["path": "/etc/missing", "content_path": "/content/0099"],
                ]
            }
        }
        let metadata = try #require(try await Self.source([stage]).load())
        #expect(metadata.files.map(\.path) == ["/etc/ok.conf"])
        #expect(
            metadata.refusedFiles.map(\.path) == [
                "../../etc/shadow", "/etc/../root/.ssh/authorized_keys", "/etc/stolen", "/etc/missing",
            ])
        #expect(
            metadata.refusedFiles[2].reason
                == "content_path '/content/../../../etc/passwd' is not a file under openstack/content/")
    }

    @Test(
        .enabled(
            if: Program.isRoot && enabled && Program.which("losetup") != nil,
            "needs root and losetup: skipped (CI runs as root)"))
    func aLoopDeviceIsFoundByItsLabelWithoutConfiguration() async throws {
        let work = try TemporaryDirectory()
        let stage = try ConfigDriveImages.stage(in: work) { stage in
            try Self.editMeta(stage) { $0["uuid"] = "10000000-0000-4000-8000-00000000100b" }
        }
        let image = work.path + "/loop.iso"
        try await ConfigDriveImages.iso(from: stage, to: image)
        let attach = try await Program.tool("losetup", ["--find", "--show", "--read-only", image])
        #expect(attach.status == 0, "\(attach.standardError)")
        let device = attach.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { Program.cleanUp("losetup", ["--detach", device]) }
        // No configured paths: the locator scans /sys/class/block and reads labels itself.
        let metadata = try await Self.source([]).load()
        #expect(metadata?.instanceID == "10000000-0000-4000-8000-00000000100b")
    }
}
