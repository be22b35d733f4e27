import AgentBase
import FoundationEssentials

/// OpenNebula's context CD (docs/PROTOCOLS.md, OpenNebula): an ISO 9660 volume labelled
/// `CONTEXT` holding `context.sh`, found like the config drive (configured paths, cloud-init's
/// seed directory `/var/lib/cloud/seed/opennebula`, /dev/disk/by-label, then the
/// /sys/class/block scan) and read without mounting. `context.sh` is parsed as data by
/// `ContextShellParser`, never run.
public struct OpenNebulaSource: DataSource {
    public let id = "opennebula"
    public let isLocal = true
    public let root: SystemRoot
    public let configuredPaths: [String]
    public let limits: DocumentLimits

    /// The volume label OpenNebula gives the context CD (`CONTEXT`; cloud-init also tries
    /// `CDROM` and any ISO, which would read an installer CD as a context).
    static let labels = ["CONTEXT"]
    /// cloud-init's seed directory for OpenNebula, a guest path.
    static let seedDirectory = "/var/lib/cloud/seed/opennebula"
    /// The file on the CD.
    static let contextFile = "context.sh"

    public init(root: SystemRoot, configuredPaths: [String] = [], limits: DocumentLimits = .standard) {
        self.root = root
        self.configuredPaths = configuredPaths
        self.limits = limits
    }

    /// The first candidate holding `context.sh`; nil when none does. A `context.sh` that is not
    /// one of the accepted forms throws, naming the line: the drive is there but broken.
    public func load() async throws -> InstanceMetadata? {
        let stop = StopFlag()
        for candidate in candidates() {
            let path: String
            switch candidate {
            case .directory(let directory): path = directory
            case .device(let device): path = device
            }
            let opened = try await BlockingWork.run(device: path, stop: stop) { try Self.open(candidate, stop: stop) }
            guard let volume = opened else { continue }
            let location = root.guestPath(ofHostPath: path)
            // Base64 user data makes the file larger than the user data it carries.
            let maxBytes = limits.jsonBytes + limits.userDataBytes * 2
            let read = try await BlockingWork.run(device: path, stop: stop) {
                try volume.readFile(Self.contextFile, maxBytes: maxBytes)
            }
            guard let data = read else { continue }
            let variables: [String: String]
            do {
                variables = try ContextShellParser.parse(data)
            } catch {
                throw DataSourceError.malformedDocument(location: "\(location)/\(Self.contextFile)", reason: "\(error)")
            }
            return OpenNebulaContext(variables: variables).metadata(sourceID: id, location: location)
        }
        return nil
    }

    func candidates() -> [ConfigDriveLocator.Candidate] {
        ConfigDriveLocator(root: root, configuredPaths: configuredPaths, labels: Self.labels)
            .candidates(seedDirectory: Self.seedDirectory)
    }

    /// Opens a candidate if it is a directory or an ISO 9660 volume labelled `CONTEXT`.
    static func open(_ candidate: ConfigDriveLocator.Candidate, stop: StopFlag) throws -> (any ConfigDriveVolume)? {
        switch candidate {
        case .directory(let path):
            return DirectoryVolume(directory: path, label: "CONTEXT")
        case .device(let path):
            guard case .iso9660(let label)? = try? VolumeProbe.identify(path: path, stop: stop),
                labels.contains(label)
            else { return nil }
            return try ISO9660Volume(path: path, stop: stop)
        }
    }
}
