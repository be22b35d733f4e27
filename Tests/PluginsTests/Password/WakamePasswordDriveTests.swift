import AgentBase
import DataSources
import Foundation
import HostEffects
import TestSupport
import Testing

@testable import Plugins

/// `meta-data/pw.enc` written into real vfat images (mkfs.vfat: FAT12 as Wakame-vdc's 10 MiB
/// drive, FAT16 at 64 MiB) without mounting them: mtools reads the file back byte for byte,
/// `fsck.vfat -n` finds nothing wrong, and what cannot be written safely is refused untouched.
@Suite(
    .enabled(
        if: ConfigDriveImages.toolsPresent && Program.which("fsck.vfat") != nil, "needs mkfs.vfat, mtools, fsck.vfat"))
struct WakamePasswordDriveTests {
    static func image(megabytes: Int, fat32: Bool = false) async throws -> (TemporaryDirectory, SystemRoot, String) {
        let work = try TemporaryDirectory()
        try await WakameMetadataDrive.image(
            WakameMetadataDrive.items(
                instanceID: "i-pw", hostname: "pw", key: "ssh-rsa AAAA x", mac: "52:54:00:00:00:01",
                address: "10.0.2.15", gateway: "10.0.2.2", dns: "10.0.2.3") + [("first-boot", "")],
            userData: "", in: work, output: work.path + "/dev-vdb", megabytes: megabytes, fat32: fat32)
        return (work, SystemRoot(work.path), "/dev-vdb")
    }

    static func mcopy(_ image: String, _ file: String) async throws -> Data? {
        let out = image + ".out"
        let result = try await Program.tool("mcopy", ["-n", "-i", image, "::" + file, out])
        guard result.status == 0 else { return nil }
        return FileManager.default.contents(atPath: out)
    }

    @Test(arguments: [10, 64])
    func theFileIsWrittenWhereMtoolsFindsItAndFsckIsClean(megabytes: Int) async throws {
        let (work, root, device) = try await Self.image(megabytes: megabytes)
        // More than one cluster: the chain and its FAT entries are exercised too.
        let ciphertext = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        try WakamePasswordDrive(device: device).publish(base64: ciphertext.base64EncodedString(), root: root)
        let image = work.path + device
        #expect(try await Self.mcopy(image, "meta-data/pw.enc") == ciphertext)
        let listing = try await Program.tool("mdir", ["-i", image, "::meta-data"])
        #expect(listing.standardOutput.contains("pw       enc"), "\(listing.standardOutput)")
        let fsck = try await Program.tool("fsck.vfat", ["-n", image])
        #expect(fsck.status == 0, "\(fsck.standardOutput)\(fsck.standardError)")
        // The rest of the drive is as it was.
        #expect(try await Self.mcopy(image, "meta-data/instance-id") == Data("i-pw\n".utf8))
    }

    @Test func theSameCiphertextAgainIsSuccessAndAnotherIsRefused() async throws {
        let (work, root, device) = try await Self.image(megabytes: 10)
        let drive = WakamePasswordDrive(device: device)
        let first = Data(repeating: 0xA5, count: 256).base64EncodedString()
        try drive.publish(base64: first, root: root)
        let before = FileManager.default.contents(atPath: work.path + device)
        try drive.publish(base64: first, root: root)
        #expect(throws: WakamePasswordDriveError.otherPasswordFile(device: device)) {
            try drive.publish(base64: Data(repeating: 0x5A, count: 256).base64EncodedString(), root: root)
        }
        #expect(FileManager.default.contents(atPath: work.path + device) == before, "a refused write changed the image")
    }

    @Test func fat32IsRefusedUntouched() async throws {
        let (work, root, device) = try await Self.image(megabytes: 64, fat32: true)
        let before = FileManager.default.contents(atPath: work.path + device)
        #expect(throws: FATWriteRefusal.self) {
            try WakamePasswordDrive(device: device).publish(base64: Data([1, 2, 3]).base64EncodedString(), root: root)
        }
        #expect(FileManager.default.contents(atPath: work.path + device) == before)
    }

    @Test func aChangedDeviceIsLeftAlone() throws {
        let edits = [[RawByteEdit(offset: 0, expected: [1, 2], bytes: [3, 4])]]
        let work = try TemporaryDirectory()
        let path = work.path + "/disk"
        try Data([9, 9, 9]).write(to: URL(fileURLWithPath: path))
        #expect(throws: RawDeviceEditError.changed(path: path, offset: 0)) {
            try RawDeviceEditor.apply(edits, to: path)
        }
        #expect(FileManager.default.contents(atPath: path) == Data([9, 9, 9]))
    }
}
