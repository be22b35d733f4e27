import AgentBase
import FoundationEssentials

/// NoCloud from local places (docs/PROTOCOLS.md, NoCloud), in the order tried: the paths
/// configured in `nocloud_paths`, a `file://` or path seed named on the kernel command line or
/// in the DMI serial, the seed directories `/var/lib/cloud/seed/nocloud` and `nocloud-net`,
/// then a filesystem labelled `cidata`/`CIDATA` (vfat or ISO 9660: cloud-localds, Proxmox VE,
/// libvirt, KubeVirt), found by label and by device scan and read without mounting. An
/// `http(s)://` seed is `NoCloudURLSeedSource`'s, in the network stage.
///
/// Every read of a drive runs through `BlockingWork`, so the discovery deadline holds even
/// for a device whose reads hang.
public struct NoCloudSource: DataSource {
    public let id = "nocloud"
    public let isLocal = true
    public let root: SystemRoot
    public let configuredPaths: [String]
    public let limits: DocumentLimits

    /// The labels cloud-init accepts for a NoCloud drive.
    static let labels = ["cidata", "CIDATA"]
    /// cloud-init's seed directories, guest paths.
    static let seedDirectories = ["/var/lib/cloud/seed/nocloud", "/var/lib/cloud/seed/nocloud-net"]

    public init(root: SystemRoot, configuredPaths: [String], limits: DocumentLimits = .standard) {
        self.root = root
        self.configuredPaths = configuredPaths
        self.limits = limits
    }

    /// The first place holding a seed; nil when there is none. A seed that is found but
    /// broken throws (named). A kernel seed with no files (`ds=nocloud;i=...;h=...` and no
    /// `s=`) is an instance of its own, as in cloud-init.
    public func load() async throws -> InstanceMetadata? {
        let kernel = NoCloudKernelSeed.find(root: root)
        if case .url? = kernel?.location { return nil }  // the network stage's
        let stop = StopFlag()
        for candidate in candidates(kernel: kernel) {
            let opened = try await BlockingWork.run(device: candidate.path, stop: stop) {
                try Self.open(candidate, stop: stop)
            }
            guard let volume = opened else { continue }
            let location = root.guestPath(ofHostPath: candidate.path)
            let seed = try await NoCloudSeed.read(location: location, limits: limits) { name, maxBytes in
                try await BlockingWork.run(device: candidate.path, stop: stop) {
                    try volume.readFile(name, maxBytes: maxBytes)
                }
            }
            if let seed { return try seed.metadata(sourceID: id, kernel: kernel) }
        }
        guard let kernel else { return nil }
        let seed = NoCloudSeed(location: kernel.origin, metaData: Data())
        return try seed.metadata(sourceID: id, kernel: kernel)
    }

    /// Candidates in the order they are tried (host paths): configured paths, the kernel's
    /// directory seed, the seed directories, then labelled drives.
    func candidates(kernel: NoCloudKernelSeed?) -> [ConfigDriveLocator.Candidate] {
        var directories: [String] = []
        if case .directory(let path)? = kernel?.location { directories.append(path) }
        directories += Self.seedDirectories
        let seedCandidates = directories.compactMap { path -> ConfigDriveLocator.Candidate? in
            guard let hostPath = try? root.resolve(path) else { return nil }
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: hostPath, isDirectory: &isDirectory), isDirectory else {
                return nil
            }
            return .directory(hostPath)
        }
        let drives = ConfigDriveLocator(root: root, configuredPaths: configuredPaths, labels: Self.labels)
        return drives.candidates(afterConfigured: seedCandidates)
    }

    /// Opens a candidate if it holds a NoCloud seed's filesystem; nil when it is something else.
    static func open(_ candidate: ConfigDriveLocator.Candidate, stop: StopFlag) throws -> (any ConfigDriveVolume)? {
        switch candidate {
        case .directory(let path):
            return DirectoryVolume(directory: path, label: "cidata")
        case .device(let path):
            guard let kind = try? VolumeProbe.identify(path: path, stop: stop), kind.label.lowercased() == "cidata"
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

extension SystemRoot {
    /// The guest path of a host path under this root (the host path itself when it is not
    /// under the root, e.g. a configured device outside it).
    func guestPath(ofHostPath path: String) -> String {
        guard !hostPath.isEmpty, path.hasPrefix(hostPath + "/") else { return path }
        return String(path.dropFirst(hostPath.count))
    }
}
