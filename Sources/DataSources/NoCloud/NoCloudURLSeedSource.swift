import AgentBase
import FoundationEssentials

/// NoCloud from an `http://` or `https://` seed named on the kernel command line or in the
/// DMI serial (`ds=nocloud-net;s=http://10.0.0.2/seed/`): `meta-data`, `user-data`,
/// `vendor-data` and `network-config` below that URL, read in the network stage with the
/// HTTP client's timeouts, retries and size caps. Not present when there is no such seed.
public struct NoCloudURLSeedSource: DataSource {
    public let id = "nocloud"
    public let isLocal = false
    public let root: SystemRoot
    public let client: MetadataHTTPClient
    public let limits: DocumentLimits

    public init(root: SystemRoot, client: MetadataHTTPClient, limits: DocumentLimits = .standard) {
        self.root = root
        self.client = client
        self.limits = limits
    }

    /// Whether the kernel command line or the DMI serial names a URL seed.
    public static func isNamed(root: SystemRoot) -> Bool {
        if case .url? = NoCloudKernelSeed.find(root: root)?.location { return true }
        return false
    }

    public func load() async throws -> InstanceMetadata? {
        guard let kernel = NoCloudKernelSeed.find(root: root), case .url(let base)? = kernel.location else {
            return nil
        }
        let client = client
        let metaDataURL = base.appending(path: "meta-data")
        // The optional files are read beside meta-data: four round trips become one.
        async let optional = withThrowingTaskGroup(of: (String, Data?).self) { group in
            for file in NoCloudSeed.optionalFiles(limits) {
                group.addTask {
                    (file.name, try await client.getIfPresent(base.appending(path: file.name), maxBytes: file.maxBytes))
                }
            }
            return try await group.reduce(into: [String: Data]()) { $0[$1.0] = $1.1 }
        }
        guard let metaData = try await client.getIfPresent(metaDataURL, maxBytes: limits.jsonBytes) else {
            throw DataSourceError.missingField(location: base.absoluteString, field: "meta-data")
        }
        let files = try await optional
        var seed = NoCloudSeed(location: base.absoluteString, metaData: metaData)
        seed.userData = files["user-data"]
        seed.vendorData = files["vendor-data"]
        seed.networkConfig = files["network-config"]
        return try seed.metadata(sourceID: id, kernel: kernel)
    }
}
