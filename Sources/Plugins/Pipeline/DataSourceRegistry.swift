import DataSources
import Foundation
import Logging

/// The one table of data source id -> factory. Unknown ids never get this far: the
/// configuration refuses them, naming the line.
public enum DataSourceRegistry {
    /// The source ids, in the default order of `metadata_services`.
    public static let knownIDs = SourceID.allCases.map(\.rawValue)

    /// The one list of source ids.
    public enum SourceID: String, CaseIterable, Sendable {
        case configdrive, openstack, ec2
    }

    /// Builds the configured sources, in order, with the platform hint's network source first.
    public static func makeSources(config: AgentConfig, root: SystemRoot, logger: Logger) -> [any DataSource] {
        let sources = configuredSources(config: config, root: root, logger: logger)
        guard let hint = PlatformHint.detect(root: root) else { return sources }
        let reordered = hint.reorder(sources)
        if reordered.map(\.id) != sources.map(\.id) {
            logger.info("trying the hinted source first", metadata: ["datasource": "\(hint.sourceID)", "reason": "\(hint.reason)"])
        }
        return reordered
    }

    static func configuredSources(config: AgentConfig, root: SystemRoot, logger: Logger) -> [any DataSource] {
        let client = httpClient(config: config, logger: logger)
        return config.metadataServices.compactMap { name -> (any DataSource)? in
            // The configuration file refuses unknown ids (naming the line); a caller that
            // builds an `AgentConfig` in code gets a warning, never a trap.
            guard let id = SourceID(rawValue: name) else {
                logger.warning("unknown metadata source id; skipped", metadata: ["datasource": "\(name)"])
                return nil
            }
            return switch id {
            case .configdrive:
                ConfigDriveSource(locator: ConfigDriveLocator(rootPath: root.hostPath, configuredPaths: config.configdrivePaths))
            case .openstack:
                OpenStackHTTPSource(baseURL: config.metadataBaseURL, client: client)
            case .ec2:
                EC2MetadataSource(baseURL: config.ec2MetadataBaseURL, client: client, tokenPutTimeout: min(1, config.requestTimeout))
            }
        }
    }

    /// The HTTP client with the configured timeouts and retries.
    public static func httpClient(config: AgentConfig, logger: Logger) -> MetadataHTTPClient {
        MetadataHTTPClient(policy: RetryPolicy(retries: config.retryCount, baseInterval: config.retryCountInterval,
                                               maxInterval: 4, requestTimeout: config.requestTimeout,
                                               totalTimeout: config.requestTotalTimeout),
                           logger: logger)
    }
}
