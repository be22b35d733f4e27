import AgentBase
import DataSources
import FoundationEssentials

/// Where this run can publish an encrypted password, or why it cannot.
enum PasswordPublicationTarget: Sendable, Equatable {
    /// Publish there. `current` is what the nova endpoint holds when a probe already read
    /// it ("" for nothing), so it is not asked twice; nil when not read yet.
    case ready(PasswordPublication, current: String?)
    /// Nowhere: the reason, for the log and `status`.
    case unavailable(String)

    /// The source's own place to publish. A config drive has none (it is read-only), so,
    /// when `openstack` is among `metadata_services`, the nova metadata service at
    /// `metadata_base_url` is asked (exactly one GET of `openstack/latest/password`, no retry,
    /// `request_timeout`): most OpenStack clouds give an instance both. A 200 (empty, or a
    /// password already stored) makes it the target; anything else leaves no target.
    static func resolve(_ context: PluginContext) async -> PasswordPublicationTarget {
        let publication = context.metadata.passwordPublication
        // The nova endpoint's value may have been read beside the documents (one round trip less).
        guard case .none = publication else {
            return .ready(publication, current: context.metadata.passwordEndpointValue)
        }
        let source = context.metadata.sourceID
        guard source == DataSourceRegistry.SourceID.configdrive.rawValue,
            context.config.metadataServices.contains(.openstack)
        else {
            return .unavailable("source '\(source)' has nowhere to publish an encrypted password")
        }
        let url = NovaPasswordEndpoint.latest(baseURL: context.config.metadataBaseURL)
        context.logger.info(
            "the config drive cannot take a password; asking the nova metadata service", metadata: ["url": "\(url)"])
        do {
            let current = try await NovaPasswordEndpoint(url: url, http: context.http).current(retries: 0)
            return .ready(.novaPasswordEndpoint(url), current: current)
        } catch {
            let reason =
                "the config drive cannot take a password and the nova metadata service did not answer: \(error)"
            context.logger.notice("no password endpoint", metadata: ["url": "\(url)", "reason": "\(reason)"])
            return .unavailable(reason)
        }
    }
}
