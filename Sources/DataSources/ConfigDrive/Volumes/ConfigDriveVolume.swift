import FoundationEssentials

/// A read-only view of a filesystem volume holding a config drive.
public protocol ConfigDriveVolume: Sendable {
    /// The volume label as stored (`config-2`, `CONFIG-2`).
    var label: String { get }
    /// Contents of the regular file at a `/`-separated relative path, nil when it does not
    /// exist; throws when it is larger than `maxBytes` or the volume is damaged.
    func readFile(_ path: String, maxBytes: Int) throws -> Data?
    /// Names in a directory (no `.` / `..`), nil when it does not exist.
    func listDirectory(_ path: String) throws -> [String]?
}

/// What a device or image holds, from its first sectors.
public enum VolumeKind: Sendable, Equatable {
    case iso9660(label: String)
    case vfat(label: String)

    public var label: String {
        switch self {
        case .iso9660(let label), .vfat(let label): label
        }
    }
}

/// Damage found while reading a volume; says what and where.
public enum VolumeReadError: Error, CustomStringConvertible, Equatable {
    case io(path: String, offset: Int, reason: String)
    case corrupt(path: String, what: String)
    case tooLarge(path: String, file: String, limit: Int)
    case unsupported(path: String, what: String)
    /// The read was abandoned: the discovery deadline passed (`StopFlag`, `BlockingWork`).
    case stopped(path: String)

    public var description: String {
        switch self {
        case .io(let path, let offset, let reason): "cannot read \(path) at byte \(offset): \(reason)"
        case .corrupt(let path, let what): "\(path) is damaged: \(what)"
        case .tooLarge(let path, let file, let limit): "\(file) on \(path) is larger than \(limit) bytes"
        case .unsupported(let path, let what): "\(path): \(what) is not supported"
        case .stopped(let path): "stopped reading \(path)"
        }
    }
}

/// Identifies a volume cheaply (a few sectors), without trusting anything past them.
public enum VolumeProbe {
    /// `.iso9660` / `.vfat` with the label, or nil when it is neither (or unreadable).
    public static func identify(path: String, stop: StopFlag = StopFlag()) throws -> VolumeKind? {
        let device = try BlockReader(path: path, stop: stop)
        if let label = try? ISO9660Volume.probeLabel(device) { return .iso9660(label: label) }
        if let label = try? FATVolume.probeLabel(device) { return .vfat(label: label) }
        return nil
    }
}
