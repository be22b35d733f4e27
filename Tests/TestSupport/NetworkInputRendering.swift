import AgentBase
import DataSources
import Foundation
import Plugins

/// The network plugin on a cloud-init network config (v1 or v2, YAML or JSON text), in
/// process: what the network differential test runs for the formats no source on this
/// branch serves yet (NoCloud's `network-config` will). The config goes through the agent's
/// own YAML parser and `NetworkDescription.fromCloudInitNetworkConfig`, exactly as a source
/// hands it over; the plugin renders into a scratch root whose /sys/class/net has `nics`.
public enum NetworkInputRendering {
    public enum Outcome: Sendable, Equatable {
        case rendered
        /// The description was refused (`.invalid`): its message.
        case refused(String)
        /// Nothing to configure (`config: disabled`, no devices).
        case nothing
    }

    /// Renders `networkConfig` with `renderer` and copies the root's `/etc` to `destination/etc`.
    public static func render(
        networkConfig: String, renderer: String, nics: [String: String], into destination: String
    ) async throws -> Outcome {
        guard let value = try YAMLParser.parse(networkConfig),
            let description = NetworkDescription.fromCloudInitNetworkConfig(value)
        else { return .nothing }
        if case .invalid(let error) = description { return .refused(error.description) }
        let root = try TemporaryDirectory(prefix: "guest-agent-netinput")
        for (mac, name) in nics { try root.write(mac + "\n", to: "sys/class/net/\(name)/address") }
        var config = AgentConfig()
        guard let chosen = NetworkRenderer(rawValue: renderer) else { return .refused("unknown renderer \(renderer)") }
        config.networkRenderer = chosen
        let metadata = InstanceMetadata(sourceID: "nocloud", instanceID: "netinput", network: description)
        _ = try await NetworkPlugin().planAndApply(PluginTestContext.context(metadata, root: root, config: config))
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: root.path + "/etc", toPath: destination + "/etc")
        return .rendered
    }
}
