import AgentBase
import FoundationEssentials

/// An OpenStack config drive v2 (label `config-2`, ISO 9660 or vfat), read straight from
/// the device or image file with no mount and no external tool, or from a directory.
///
/// Every read of a drive runs through `BlockingWork` (a thread of its own), so the
/// discovery deadline holds even for a device whose reads hang.
public struct ConfigDriveSource: DataSource {
    public let id = "configdrive"
    public let isLocal = true
    public let locator: ConfigDriveLocator
    public let limits: DocumentLimits

    public init(locator: ConfigDriveLocator, limits: DocumentLimits = .standard) {
        self.locator = locator
        self.limits = limits
    }

    /// The first candidate whose label is config-2 and that holds openstack metadata;
    /// nil when there is none. A drive that is found but broken throws (named).
    public func load() async throws -> InstanceMetadata? {
        let stop = StopFlag()
        for candidate in locator.candidates() {
            let opened = try await BlockingWork.run(device: candidate.path, stop: stop) {
                try Self.open(candidate, stop: stop)
            }
            guard let volume = opened else { continue }
            let tree = VolumeOpenStackTree(volume: volume, devicePath: candidate.path, stop: stop)
            let loader = OpenStackLoader(tree: tree, limits: limits, sourceID: id)
            // A drive is read-only: there is nowhere to post a password.
            return try await loader.load { _ in .none }
        }
        return nil
    }

    /// Opens a candidate if it is a config drive; nil when it is something else.
    static func open(_ candidate: ConfigDriveLocator.Candidate, stop: StopFlag) throws -> (any ConfigDriveVolume)? {
        switch candidate {
        case .directory(let path):
            let volume = DirectoryVolume(directory: path)
            return try volume.listDirectory("openstack") == nil ? nil : volume
        case .device(let path):
            guard let kind = try? VolumeProbe.identify(path: path, stop: stop), kind.label.lowercased() == "config-2"
            else {
                return nil
            }
            switch kind {
            case .iso9660: return try ISO9660Volume(path: path, stop: stop)
            case .vfat: return try FATVolume(path: path, stop: stop)
            }
        }
    }
}

extension ConfigDriveLocator.Candidate {
    /// The directory or device path.
    public var path: String {
        switch self {
        case .directory(let path), .device(let path): path
        }
    }
}
