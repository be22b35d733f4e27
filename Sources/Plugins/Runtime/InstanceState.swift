import AgentBase
import DataSources
import FoundationEssentials

/// Per-instance state: which plugins are done, and what plugins saved for later boots.
public struct InstanceState: Codable, Sendable, Equatable {
    public var instanceID: String
    public var completedPlugins: [String: Date] = [:]
    public var pendingPlugins: [String: String] = [:]
    /// Each plugin's own saved state (its `Codable` type, as JSON).
    public var pluginData: [String: JSONValue] = [:]
    /// The boot (kernel boot id) in which the local stage last ran for this instance: the
    /// network stage of that boot leaves the local-stage plugins alone.
    public var localStageBoot: String?

    public init(instanceID: String) {
        self.instanceID = instanceID
    }
}
