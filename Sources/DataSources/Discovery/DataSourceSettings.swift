import AgentBase
import FoundationEssentials
import Logging

/// What the data sources need from the agent's configuration, as one value: the Plugins
/// library derives it from `AgentConfig` (`AgentConfig.dataSourceSettings`), so discovery
/// and the sources never see the configuration file or a raw root path string.
public struct DataSourceSettings: Sendable, Equatable {
    /// Source ids in the order to try them (`metadata_services`), already checked.
    public var sources: [DataSourceRegistry.SourceID]
    /// The root whose devices and DMI strings are read (read-only).
    public var root: SystemRoot
    public var openStackBaseURL: URL
    public var ec2BaseURL: URL
    /// Extra config drive locations (`configdrive_paths`), guest paths under `root`.
    public var configDrivePaths: [String]
    /// Extra NoCloud seed locations (`nocloud_paths`), guest paths under `root`.
    public var noCloudPaths: [String]
    public var retryPolicy: RetryPolicy
    /// The overall deadline of discovery (`discovery_timeout`), seconds.
    public var discoveryDeadline: Double
    /// What the sources fetch beyond the basics (from the configured plugins; `.all` for `query`).
    public var needs: MetadataNeeds
    /// The VMware guestinfo channel (the image's `vmware-rpctool`), given by the Plugins
    /// layer; nil: the `vmware` source is never present.
    public var guestInfo: GuestInfoAccess?

    public init(
        sources: [DataSourceRegistry.SourceID], root: SystemRoot, openStackBaseURL: URL, ec2BaseURL: URL,
        configDrivePaths: [String], noCloudPaths: [String] = [], retryPolicy: RetryPolicy, discoveryDeadline: Double,
        needs: MetadataNeeds = .all, guestInfo: GuestInfoAccess? = nil
    ) {
        self.sources = sources
        self.root = root
        self.openStackBaseURL = openStackBaseURL
        self.ec2BaseURL = ec2BaseURL
        self.configDrivePaths = configDrivePaths
        self.noCloudPaths = noCloudPaths
        self.retryPolicy = retryPolicy
        self.discoveryDeadline = discoveryDeadline
        self.needs = needs
        self.guestInfo = guestInfo
    }

    /// The HTTP client with the configured timeouts and retries.
    public func httpClient(logger: Logger) -> MetadataHTTPClient {
        MetadataHTTPClient(policy: retryPolicy, logger: logger)
    }
}
