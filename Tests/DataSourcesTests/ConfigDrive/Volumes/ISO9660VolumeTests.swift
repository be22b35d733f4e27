import DataSources
import Foundation
import TestSupport
import Testing

/// ISO images built by the real genisoimage, read by our reader.
@Suite struct ISO9660VolumeTests {
    static let enabled = ConfigDriveImages.toolsPresent
    static let longName = "a-file-with-a-rather-long-name-that-exceeds-sixty-four-characters-easily.json"

    static func build(rockRidge: Bool = true, joliet: Bool = true) async throws -> (TemporaryDirectory, String) {
        let work = try TemporaryDirectory(prefix: "guest-agent-iso")
        let stage = try ConfigDriveImages.stage(
            in: work,
            extra: [
                "openstack/content/0001": Data("content one\n".utf8),
                "deep/a/b/c/d/e/f/g/h/i/file.txt": Data("deep\n".utf8),
                "openstack/latest/" + longName: Data("{}".utf8),
            ])
        let image = work.path + "/config-2.iso"
        try await ConfigDriveImages.iso(from: stage, to: image, rockRidge: rockRidge, joliet: joliet)
        return (work, image)
    }

    @Test(
        .enabled(if: enabled, "needs genisoimage (scripts/setup.sh installs it)"),
        arguments: [(true, true), (true, false), (false, true)])
    func readsNovaStyleImages(rockRidge: Bool, joliet: Bool) async throws {
        let (work, image) = try await Self.build(rockRidge: rockRidge, joliet: joliet)
        #expect(try VolumeProbe.identify(path: image) == .iso9660(label: "config-2"))
        let volume = try ISO9660Volume(path: image)
        #expect(volume.label == "config-2")
        let meta = try #require(try volume.readFile("openstack/latest/meta_data.json", maxBytes: 1 << 20))
        #expect(meta == FileManager.default.contents(atPath: work.path + "/stage/openstack/latest/meta_data.json"))
        #expect(try volume.readFile("openstack/content/0001", maxBytes: 100) == Data("content one\n".utf8))
        #expect(try volume.listDirectory("openstack")?.contains("2018-08-27") == true)
        #expect(try volume.listDirectory("openstack/latest")?.contains(Self.longName) == true)
        #expect(try volume.readFile("openstack/latest/" + Self.longName, maxBytes: 10) == Data("{}".utf8))
        if rockRidge {
            // Deeper than ISO 9660's 8 levels: genisoimage relocates it (Rock Ridge CL/RE);
            // without Rock Ridge it leaves such directories out altogether.
            #expect(try volume.readFile("deep/a/b/c/d/e/f/g/h/i/file.txt", maxBytes: 10) == Data("deep\n".utf8))
            #expect(Set(try volume.listDirectory("") ?? []).isSuperset(of: ["deep", "ec2", "openstack"]))
        }
        #expect(try volume.readFile("openstack/latest/nope.json", maxBytes: 10) == nil)
        #expect(try volume.listDirectory("missing") == nil)
        #expect(throws: VolumeReadError.tooLarge(path: image, file: "openstack/latest/meta_data.json", limit: 10)) {
            try volume.readFile("openstack/latest/meta_data.json", maxBytes: 10)
        }
    }

    @Test(.enabled(if: enabled, "needs genisoimage")) func plainISO9660NamesWithoutExtensions() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-iso")
        let stage = try ConfigDriveImages.stage(in: work)
        let image = work.path + "/plain.iso"
        try await ConfigDriveImages.iso(from: stage, to: image, rockRidge: false, joliet: false)
        let volume = try ISO9660Volume(path: image)
        #expect(try volume.readFile("openstack/latest/meta_data.json", maxBytes: 1 << 20) != nil)
    }

    @Test(.enabled(if: enabled, "needs genisoimage")) func aDriveLargerThan128MiBIsReadToItsEnd() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-iso")
        let stage = try ConfigDriveImages.stage(in: work)
        // 140 MiB of zeros sorted before the metadata pushes later files past block 65535.
        #expect(try await Program.tool("truncate", ["-s", "140M", stage + "/aaa-padding.bin"]).status == 0)
        try Data("tail\n".utf8).write(to: URL(fileURLWithPath: stage + "/zzz-last.txt"))
        let image = work.path + "/big.iso"
        try await ConfigDriveImages.iso(from: stage, to: image)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: image)[.size] as? Int)
        #expect(size > 128 << 20)
        let volume = try ISO9660Volume(path: image)
        #expect(try volume.readFile("zzz-last.txt", maxBytes: 10) == Data("tail\n".utf8))
        #expect(try volume.readFile("openstack/latest/meta_data.json", maxBytes: 1 << 20) != nil)
    }

    @Test(.enabled(if: enabled, "needs genisoimage")) func damagedImagesGiveErrorsNotCrashes() async throws {
        let (work, image) = try await Self.build()
        // Truncated to 40 KiB: the descriptors are there, the directories are not.
        let truncated = work.path + "/truncated.iso"
        try Data(try Data(contentsOf: URL(fileURLWithPath: image)).prefix(40 * 1024)).write(
            to: URL(fileURLWithPath: truncated))
        #expect(throws: VolumeReadError.self) {
            _ = try ISO9660Volume(path: truncated).readFile("openstack/latest/meta_data.json", maxBytes: 1 << 20)
        }
        // Every root directory record (primary and Joliet) points far outside the volume.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image)))
        for sector in 16..<20 where bytes[sector * 2048] == 1 || bytes[sector * 2048] == 2 {
            for index in 0..<4 { bytes[sector * 2048 + 156 + 2 + index] = 0x7F }
        }
        let broken = work.path + "/broken-root.iso"
        try Data(bytes).write(to: URL(fileURLWithPath: broken))
        #expect(throws: VolumeReadError.self) { _ = try ISO9660Volume(path: broken).listDirectory("openstack") }
        // Something that is not an ISO at all.
        let junk = work.path + "/junk.img"
        try Data(repeating: 0x41, count: 1 << 16).write(to: URL(fileURLWithPath: junk))
        #expect(try VolumeProbe.identify(path: junk) == nil)
    }
}
