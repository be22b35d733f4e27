import AgentBase
import DataSources

extension AgentConfig {
    /// What discovery and the data sources need from this configuration, for `root`: they
    /// fetch what the configured plugins read (`needs`), or everything (`query`).
    public func dataSourceSettings(root: SystemRoot, needs: MetadataNeeds? = nil) -> DataSourceSettings {
        DataSourceSettings(
            sources: sources.metadataServices, root: root, openStackBaseURL: sources.metadataBaseURL,
            ec2BaseURL: sources.ec2MetadataBaseURL, configDrivePaths: sources.configdrivePaths,
            noCloudPaths: sources.nocloudPaths,
            retryPolicy: RetryPolicy(
                retries: sources.retryCount, baseInterval: sources.retryCountInterval, maxInterval: 4,
                requestTimeout: sources.requestTimeout, totalTimeout: sources.requestTotalTimeout),
            discoveryDeadline: sources.discoveryTimeout, needs: needs ?? PluginRegistry.needs(of: run.plugins),
            guestInfo: RPCToolGuestInfoChannel.access(root: root))
    }
}
