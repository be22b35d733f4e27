import AgentBase
import FoundationEssentials

/// A NoCloud seed's network: the `network-config` file (cloud-init network config v1 or v2,
/// YAML or JSON) when there is one, else meta-data's legacy `network-interfaces` ENI text.
enum NoCloudNetwork {
    static func description(networkConfig: Data?, networkInterfaces: String?, location: String)
        -> NetworkDescription?
    {
        // Wired to the v1/v2 and ENI converters (issue 24 item 3) when they land.
        nil
    }
}
