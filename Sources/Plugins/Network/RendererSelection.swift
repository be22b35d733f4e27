import AgentBase
import DataSources
import FoundationEssentials

/// Picks the concrete backend for `network_renderer`. `auto` looks at what the target root
/// has: netplan if `/usr/sbin/netplan` or `/etc/netplan` exists, else NetworkManager if it
/// is installed and enabled, else systemd-networkd if enabled, else ifupdown.
public enum RendererSelection {
    public static func choose(_ setting: NetworkRenderer, root: SystemRoot) -> (
        renderer: NetworkRenderer, reason: String
    ) {
        guard setting == .auto else { return (setting, "network_renderer = \(setting.rawValue)") }
        let exists = { (path: String) in
            (try? root.resolve(path)).map { FileManager.default.fileExists(atPath: $0) } ?? false
        }
        if exists("/usr/sbin/netplan") || exists("/etc/netplan") { return (.netplan, "netplan is installed") }
        let wants = [
            "/etc/systemd/system/multi-user.target.wants/", "/etc/systemd/system/network-online.target.wants/",
        ]
        if exists("/usr/sbin/NetworkManager") && wants.contains(where: { exists($0 + "NetworkManager.service") }) {
            return (.networkmanager, "NetworkManager is installed and enabled")
        }
        if wants.contains(where: { exists($0 + "systemd-networkd.service") })
            || exists("/etc/systemd/system/sockets.target.wants/systemd-networkd.socket")
        {
            return (.networkd, "systemd-networkd is enabled")
        }
        return (.eni, "neither netplan, an enabled NetworkManager nor an enabled systemd-networkd was found")
    }

    /// The renderer's files for a resolved network.
    public static func render(_ renderer: NetworkRenderer, _ network: ResolvedNetwork) -> [RenderedFile] {
        switch renderer {
        case .netplan, .auto: NetplanRenderer.render(network)
        case .networkd: NetworkdRenderer.render(network)
        case .eni: ENIRenderer.render(network)
        case .networkmanager: NetworkManagerRenderer.render(network)
        }
    }

    /// Files of ours from an earlier run that the new set may no longer contain:
    /// (directory, name prefix, name suffixes), one per place the renderer writes.
    static func ownedPatterns(_ renderer: NetworkRenderer) -> [(directory: String, prefix: String, suffixes: [String])]
    {
        let namingRules = (InterfaceNamingRules.directory, InterfaceNamingRules.prefix, [".rules"])
        return switch renderer {
        case .netplan, .auto: [("/etc/netplan", "50-guest-agent", [".yaml"])]
        case .networkd: [(NetworkdRenderer.directory, NetworkdRenderer.prefix, [".link", ".netdev", ".network"])]
        case .eni: [("/etc/network/interfaces.d", "50-guest-agent", [""]), namingRules]
        case .networkmanager:
            [(NetworkManagerRenderer.directory, NetworkManagerRenderer.prefix, [".nmconnection"]), namingRules]
        }
    }
}
