import AgentBase
import FoundationEssentials

/// A place instance metadata can come from.
///
/// Contract:
/// - `load()` returns `nil` when the source is simply not there (no config drive, nothing
///   answering at the metadata address): discovery moves on to the next source.
/// - It throws a `DataSourceError` when the source is there but broken (malformed JSON,
///   oversize document, server errors after all retries): discovery records the error,
///   names the source, and moves on.
/// - It never writes anything and never blocks past its own timeouts; the discovery
///   deadline cancels it (it must honour task cancellation).
public protocol DataSource: Sendable {
    /// The id used in `metadata_services` (`openstack`, `ec2`, `configdrive`).
    var id: String { get }
    /// Whether this source reads only local devices (checked before network sources).
    var isLocal: Bool { get }
    /// Loads and normalizes the metadata; see the type's contract.
    func load() async throws -> InstanceMetadata?
}

/// Why a source that is present could not be used. Every case names where.
public enum DataSourceError: Error, CustomStringConvertible, Equatable {
    case malformedDocument(location: String, reason: String)
    case documentTooLarge(location: String, limit: Int)
    case httpStatus(url: String, status: Int)
    case transport(url: String, reason: String)
    /// `connect` said ENETUNREACH: this machine has no route to the service yet. At boot that
    /// means the network is still coming up (an ifupdown `allow-hotplug` NIC can get its DHCP
    /// lease after `network-online.target`), not that the service is absent; discovery
    /// waits for a route, up to its deadline.
    case networkUnreachable(url: String)
    case timedOut(url: String, seconds: Double)
    /// The exchange went on past its total time limit (a server trickling its answer).
    case tooSlow(url: String, seconds: Double)
    /// A redirect the agent will not follow, and why.
    case redirectRefused(from: String, to: String, reason: String)
    case missingField(location: String, field: String)
    case unsafeContent(location: String, reason: String)

    /// No route to the service (yet): see `networkUnreachable`.
    public var isNetworkUnreachable: Bool {
        if case .networkUnreachable = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .malformedDocument(let location, let reason): "malformed document at \(location): \(reason)"
        case .documentTooLarge(let location, let limit): "document at \(location) exceeds the \(limit)-byte limit"
        case .httpStatus(let url, let status): "HTTP \(status) from \(url)"
        case .transport(let url, let reason): "request to \(url) failed: \(reason)"
        case .networkUnreachable(let url): "request to \(url) failed: Network is unreachable (no route yet)"
        case .timedOut(let url, let seconds): "no answer from \(url) within \(formatSeconds(seconds)) s"
        case .tooSlow(let url, let seconds):
            "request to \(url) did not finish within its limit of \(formatSeconds(seconds)) s"
        case .redirectRefused(let from, let to, let reason): "refused the redirect from \(from) to \(to): \(reason)"
        case .missingField(let location, let field): "\(location) has no '\(field)'"
        case .unsafeContent(let location, let reason): "refused content at \(location): \(reason)"
        }
    }
}

func formatSeconds(_ value: Double) -> String {
    PlainFormat.oneDecimal(value)
}
