import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// Wakame-vdc's place for an encrypted password (docs/PROTOCOLS.md §12.2): the raw
/// ciphertext as `meta-data/pw.enc` on the instance's METADATA drive, which the host reads
/// after the guest powers off. Written into the drive's FAT filesystem without mounting it
/// (`FATNewFilePlan`, `RawDeviceEditor`): a new file only, never an overwrite.
struct WakamePasswordDrive {
    /// The drive's device, a guest path (`/dev/vdb1`).
    let device: String
    static let directory = "meta-data"
    static let file = "pw.enc"

    /// Writes `ciphertext` (base64, as the password plugin keeps it) as `meta-data/pw.enc`.
    /// A `pw.enc` that already holds these bytes (an earlier run wrote it, then stopped) is
    /// success; one holding other bytes is never replaced: the host may have read it already.
    func publish(base64 ciphertext: String, root: SystemRoot, now: Int = Int(time(nil))) throws {
        guard let bytes = Data(base64Encoded: ciphertext) else {
            throw WakamePasswordDriveError.notBase64
        }
        let path = try root.resolve(device)
        let volume = try FATVolume(path: path)
        if let existing = try volume.readFile("\(Self.directory)/\(Self.file)", maxBytes: 64 * 1024) {
            guard existing == bytes else { throw WakamePasswordDriveError.otherPasswordFile(device: device) }
            return
        }
        let plan = try volume.planNewFile(
            directory: Self.directory, name: Self.file, contents: Array(bytes),
            stamp: FATTimestamp(secondsSince1970: now))
        try RawDeviceEditor.apply(plan.phases, to: plan.path)
        // Read back through the FAT reader: the file as the host will find it.
        guard try FATVolume(path: path).readFile("\(Self.directory)/\(Self.file)", maxBytes: 64 * 1024) == bytes else {
            throw WakamePasswordDriveError.notReadBack(device: device)
        }
    }
}

enum WakamePasswordDriveError: Error, Equatable, CustomStringConvertible {
    case notBase64
    case otherPasswordFile(device: String)
    case notReadBack(device: String)

    var description: String {
        switch self {
        case .notBase64: "the saved ciphertext is not base64"
        case .otherPasswordFile(let device):
            "\(device) already holds another meta-data/pw.enc: left as it is (the host may have read it)"
        case .notReadBack(let device): "meta-data/pw.enc on \(device) does not read back as written"
        }
    }
}
