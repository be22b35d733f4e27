import AgentBase
import DataSources

extension AgentConfig {
    /// What discovery and the data sources need from this configuration, for `root`: they
    /// fetch what the configured plugins read (`needs`), or everything (`query`).
    public func dataSourceSettings(root: SystemRoot, needs: MetadataNeeds? = nil) -> DataSourceSettings {
        DataSourceSettings(
            sources: metadataServices, root: root, openStackBaseURL: metadataBaseURL,
            ec2BaseURL: ec2MetadataBaseURL, configDrivePaths: configdrivePaths,
            noCloudPaths: nocloudPaths,
            retryPolicy: RetryPolicy(
                retries: retryCount, baseInterval: retryCountInterval, maxInterval: 4,
                requestTimeout: requestTimeout, totalTimeout: requestTotalTimeout),
            discoveryDeadline: discoveryTimeout, needs: needs ?? PluginRegistry.needs(of: plugins))
    }
}
