import AgentBase
import FoundationEssentials

/// Wakame-vdc's metadata drive (docs/PROTOCOLS.md, Wakame-vdc): a vfat volume labelled
/// `METADATA` (`mkfs -t vfat -n METADATA` on the first partition of a 10 MiB disk image, in
/// axsh/wakame-vdc `linux_hypervisor.rb`), found like the config drive
/// (`/dev/disk/by-label/METADATA`, then the /sys/class/block scan) and read without mounting.
///
/// The label alone is no proof (any vfat stick may be called METADATA): a volume without
/// `meta-data/instance-id` is passed over.
public struct WakameSource: DataSource {
    public let id = "wakame"
    public let isLocal = true
    public let root: SystemRoot
    public let limits: DocumentLimits

    /// The label Wakame-vdc gives the drive (wakame-init mounts `LABEL=METADATA`).
    public static let label = "METADATA"

    public init(root: SystemRoot, limits: DocumentLimits = .standard) {
        self.root = root
        self.limits = limits
    }

    /// The first vfat volume labelled `METADATA` holding `meta-data/instance-id`; nil when none
    /// does. A damaged volume or a malformed value throws, naming the device.
    public func load() async throws -> InstanceMetadata? {
        let stop = StopFlag()
        for case .device(let path) in ConfigDriveLocator(root: root, configuredPaths: [], labels: [Self.label])
            .candidates()
        {
            let opened = try await BlockingWork.run(device: path, stop: stop) { try Self.open(path, stop: stop) }
            guard let volume = opened else { continue }
            let drive = WakameDrive(volume: volume, location: root.guestPath(ofHostPath: path), limits: limits)
            let loaded = try await BlockingWork.run(device: path, stop: stop) { try drive.metadata(sourceID: id) }
            if let metadata = loaded { return metadata }
        }
        return nil
    }

    /// The FAT volume at `path` when it is vfat labelled `METADATA`, else nil.
    static func open(_ path: String, stop: StopFlag) throws -> FATVolume? {
        guard case .vfat(let found)? = try? VolumeProbe.identify(path: path, stop: stop), found == label else {
            return nil
        }
        return try FATVolume(path: path, stop: stop)
    }
}
