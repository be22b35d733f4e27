import FoundationEssentials

/// The network plugin's settings.
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct NetworkConfig: SettingsGroup {
    /// `network_renderer`
    public var networkRenderer: NetworkRenderer = .auto

    public init() {}

    static let title = "The network plugin"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "network_renderer",
            help: "Network configuration format: auto, networkd, netplan, eni, networkmanager.",
            show: { $0.networkRenderer.rawValue },
            apply: { $0.networkRenderer = try ConfigSchema.choice($1) }
        )
    ]
}

/// `network_renderer`: which network configuration format the network plugin writes.
public enum NetworkRenderer: String, Sendable, CaseIterable {
    case auto, networkd, netplan, eni, networkmanager
}
