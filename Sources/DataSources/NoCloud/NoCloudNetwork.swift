import AgentBase
import FoundationEssentials

/// A NoCloud seed's network: the `network-config` file (cloud-init network config v1 or v2,
/// YAML or JSON, with or without a top-level `network:`) when there is one, else meta-data's
/// legacy `network-interfaces` ENI text, as cloud-init prefers them. A file that is not YAML
/// makes only the network invalid (named): discovery and the other plugins go on.
enum NoCloudNetwork {
    static func description(networkConfig: Data?, networkInterfaces: String?, location: String)
        -> NetworkDescription?
    {
        if let networkConfig, !networkConfig.isEmpty {
            do {
                guard let value = try YAMLParser.parse(String(decoding: networkConfig, as: UTF8.self)) else {
                    return networkInterfaces.flatMap(NetworkDescription.fromENI)
                }
                return NetworkDescription.fromCloudInitNetworkConfig(value)
            } catch {
                return .invalid(NetworkConfigError("\(location)/network-config", field: "", "\(error)"))
            }
        }
        return networkInterfaces.flatMap(NetworkDescription.fromENI)
    }
}
