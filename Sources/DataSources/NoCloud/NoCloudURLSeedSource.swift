import AgentBase
import FoundationEssentials

/// NoCloud from an `http://` or `https://` seed named on the kernel command line or in the
/// DMI serial (`ds=nocloud-net;s=http://10.0.0.2/seed/`): `meta-data`, `user-data`,
/// `vendor-data` and `network-config` below that URL, read in the network stage with the
/// HTTP client's timeouts, retries and size caps. Made only when such a seed is named.
public struct NoCloudURLSeedSource: DataSource {
    public let id = "nocloud"
    public let isLocal = false
    public let root: SystemRoot
    public let client: MetadataHTTPClient
    public let limits: DocumentLimits
    /// The seed as the kernel command line or the DMI serial named it (read once, here).
    let kernel: NoCloudKernelSeed
    let base: URL

    /// Nil when neither the kernel command line nor the DMI serial names a URL seed.
    public init?(root: SystemRoot, client: MetadataHTTPClient, limits: DocumentLimits = .standard) {
        guard let kernel = NoCloudKernelSeed.find(root: root), case .url(let base)? = kernel.location else {
            return nil
        }
        self.root = root
        self.client = client
        self.limits = limits
        self.kernel = kernel
        self.base = base
    }

    public func load() async throws -> InstanceMetadata? {
        let (client, base) = (client, base)
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
        for (name, data) in files { seed.set(name, data) }
        return try seed.metadata(sourceID: id, kernel: kernel)
    }
}
