import FoundationEssentials

/// An OpenStack config drive v2 (label `config-2`, ISO 9660 or vfat), read straight from
/// the device or image file with no mount and no external tool, or from a directory.
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
        for candidate in locator.candidates() {
            guard let (volume, path) = try open(candidate) else { continue }
            let tree = VolumeOpenStackTree(volume: volume, devicePath: path)
            let loader = OpenStackLoader(tree: tree, limits: limits, sourceID: id)
            // A drive is read-only: there is nowhere to post a password.
            return try await loader.load { _ in .none }
        }
        return nil
    }

    /// Opens a candidate if it is a config drive; nil when it is something else.
    func open(_ candidate: ConfigDriveLocator.Candidate) throws -> (any ConfigDriveVolume, String)? {
        switch candidate {
        case .directory(let path):
            let volume = DirectoryVolume(directory: path)
            return try volume.listDirectory("openstack") == nil ? nil : (volume, path)
        case .device(let path):
            guard let kind = try? VolumeProbe.identify(path: path), kind.label.lowercased() == "config-2" else {
                return nil
            }
            switch kind {
            case .iso9660: return (try ISO9660Volume(path: path), path)
            case .vfat: return (try FATVolume(path: path), path)
            }
        }
    }
}
