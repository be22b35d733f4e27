import DataSources

/// The bridge options beyond spanning tree and forward delay (`BridgeOption`), as each backend
/// spells them: bridge-utils' `bridge_*` (ENI), netplan's `parameters`, networkd's `[Bridge]`
/// (the bridge's `.netdev`, a port's `.network`) and NetworkManager's `[bridge]` and
/// `[bridge-port]`. One table, so the four renderers cannot drift apart.
enum BridgeOptionSpelling {
    case bridgeUtils, netplan, networkd, networkManager

    /// The option's key in this backend.
    func key(_ option: BridgeOption) -> String {
        switch self {
        case .bridgeUtils, .netplan:
            return self == .netplan ? option.v2Key : option.v1Key
        case .networkd:
            switch option {
            case .ageingTime: return "AgeingTimeSec"
            case .priority: return "Priority"
            case .helloTime: return "HelloTimeSec"
            case .maxAge: return "MaxAgeSec"
            case .pathCost: return "Cost"
            case .portPriority: return "Priority"
            }
        case .networkManager:
            switch option {
            case .ageingTime: return "ageing-time"
            case .priority, .portPriority: return "priority"
            case .helloTime: return "hello-time"
            case .maxAge: return "max-age"
            case .pathCost: return "path-cost"
            }
        }
    }

    /// `key=value` lines of the bridge-wide options given, in `BridgeOption` order.
    func bridgeLines(_ bridge: BridgeSettings, separator: String = "=") -> [String] {
        BridgeOption.allCases.compactMap { option in
            bridge.options[option].map { "\(key(option))\(separator)\($0)" }
        }
    }

    /// `key=value` lines of the options given for one port (networkd's and NetworkManager's
    /// port settings), in `BridgeOption` order.
    func portLines(_ bridge: BridgeSettings, port linkID: String) -> [String] {
        bridge.options(ofPort: linkID).map { "\(key($0.0))=\($0.1)" }
    }
}

extension ResolvedNetwork {
    /// The settings of the bridge `interface` is a port of, if it is one.
    func bridgeSettings(over interface: ResolvedInterface) -> BridgeSettings? {
        guard let master = interface.bridgeMaster, case .bridge(let bridge)? = self.interface(master)?.kind else {
            return nil
        }
        return bridge
    }

    /// (port name, value) of one per-port option, for the ports the bridge has on this guest.
    func portValues(_ option: BridgeOption, of bridge: BridgeSettings, named name: String) -> [(String, Int)] {
        interfaces.filter { $0.bridgeMaster == name }.compactMap { port in
            bridge.portOptions[option]?[port.linkID].map { (port.name, $0) }
        }
    }
}
