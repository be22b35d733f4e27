import AgentBase
import DataSources
import FoundationEssentials

/// NetworkManager keyfiles: `/etc/NetworkManager/system-connections/guest-agent-<name>.nmconnection`,
/// mode 0600 (NetworkManager ignores keyfiles others can read). NICs are bound by MAC
/// (`ethernet.mac-address`) when the source gave one, and by name. Pure: no I/O.
public enum NetworkManagerRenderer {
    public static let directory = "/etc/NetworkManager/system-connections"
    public static let prefix = "guest-agent-"

    public static func render(_ network: ResolvedNetwork) -> [RenderedFile] {
        keyfiles(network) + InterfaceNamingRules.render(network)
    }

    private static func keyfiles(_ network: ResolvedNetwork) -> [RenderedFile] {
        network.interfaces.map { interface in
            let id = prefix + interface.name
            var sections: [(String, [String])] = []
            var connection = [
                "id=\(id)", "uuid=\(uuid(for: interface.name))", "type=\(type(of: interface))",
                "interface-name=\(interface.name)", "autoconnect=\(interface.startsAtBoot)",
            ]
            // NetworkManager takes the master's interface name or its connection's UUID here,
            // not a connection id (an id is read as an interface name that never appears, and
            // the port is never enslaved): the UUID, stable per name, binds the two keyfiles.
            if let master = interface.bondMaster { connection += ["master=\(uuid(for: master))", "slave-type=bond"] }
            if let master = interface.bridgeMaster {
                connection += ["master=\(uuid(for: master))", "slave-type=bridge"]
            }
            sections.append(("connection", connection))
            switch interface.kind {
            case .ethernet:
                var ethernet: [String] = []
                if let mac = interface.macAddress { ethernet.append("mac-address=\(mac.uppercased())") }
                if let mtu = interface.mtu { ethernet.append("mtu=\(mtu)") }
                // NM_SETTING_WIRED_WAKE_ON_LAN_MAGIC is 0x40; 0 is none.
                if let wake = interface.wakeOnLAN { ethernet.append("wake-on-lan=\(wake ? 64 : 0)") }
                sections.append(("ethernet", ethernet))
            case .infiniband:
                // Datagram mode, as cloud-init writes it; found by `interface-name`.
                sections.append(
                    ("infiniband", ["transport-mode=datagram"] + (interface.mtu.map { ["mtu=\($0)"] } ?? [])))
            case .bond(let bond):
                var options = ["mode=\(bond.mode)"]
                if let miimon = bond.miimon { options.append("miimon=\(miimon)") }
                if let policy = bond.xmitHashPolicy { options.append("xmit_hash_policy=\(policy)") }
                if let rate = bond.lacpRate { options.append("lacp_rate=\(rate)") }
                options += BondOptionSpelling.networkManager.options(bond, primaryName: network.primaryName(of: bond))
                    .map { "\($0.0)=\($0.1)" }
                sections.append(("bond", options))
                var ethernet: [String] = []
                if let mac = interface.macAddress { ethernet.append("cloned-mac-address=\(mac.uppercased())") }
                if let mtu = interface.mtu { ethernet.append("mtu=\(mtu)") }
                if !ethernet.isEmpty { sections.append(("ethernet", ethernet)) }
            case .vlan(let parent, let vlanID):
                sections.append(("vlan", ["id=\(vlanID)", "parent=\(parent)"]))
                // A VLAN's MAC and MTU are wired (802-3-ethernet) properties: NetworkManager has
                // no vlan.mtu and drops the key without a word.
                var ethernet: [String] = []
                if let mac = interface.macAddress { ethernet.append("cloned-mac-address=\(mac.uppercased())") }
                if let mtu = interface.mtu { ethernet.append("mtu=\(mtu)") }
                if !ethernet.isEmpty { sections.append(("ethernet", ethernet)) }
            case .bridge(let bridge):
                // Spanning tree off unless asked for (NetworkManager's own default is on).
                var options = ["stp=\(bridge.stp ?? false)"]
                if let delay = bridge.forwardDelay { options.append("forward-delay=\(delay)") }
                options += BridgeOptionSpelling.networkManager.bridgeLines(bridge)
                sections.append(("bridge", options))
                var ethernet: [String] = []
                if let mac = interface.macAddress { ethernet.append("cloned-mac-address=\(mac.uppercased())") }
                if let mtu = interface.mtu { ethernet.append("mtu=\(mtu)") }
                if !ethernet.isEmpty { sections.append(("ethernet", ethernet)) }
            }
            if let bridge = network.bridgeSettings(over: interface) {
                let port = BridgeOptionSpelling.networkManager.portLines(bridge, port: interface.linkID)
                if !port.isEmpty { sections.append(("bridge-port", port)) }
            }
            if !interface.isPort {
                sections.append(("ipv4", ip(interface, ipv4: true)))
                sections.append(("ipv6", ip(interface, ipv4: false)))
            }
            let body = sections.map { name, lines in "[\(name)]\n" + lines.map { $0 + "\n" }.joined() }.joined(
                separator: "\n")
            return RenderedFile(
                path: directory + "/" + id + ".nmconnection", text: RenderedFile.header + body, mode: 0o600)
        }
    }

    private static func type(of interface: ResolvedInterface) -> String {
        switch interface.kind {
        case .ethernet: "ethernet"
        case .infiniband: "infiniband"
        case .bond: "bond"
        case .vlan: "vlan"
        case .bridge: "bridge"
        }
    }

    private static func ip(_ interface: ResolvedInterface, ipv4: Bool) -> [String] {
        let addresses = interface.addresses.filter { $0.address.isIPv4 == ipv4 }
        var lines: [String] = []
        let dynamic = ipv4 ? interface.dhcp4 : (interface.acceptRA || interface.dhcp6)
        if dynamic {
            lines.append("method=" + (ipv4 ? "auto" : (interface.acceptRA ? "auto" : "dhcp")))
        } else if !addresses.isEmpty {
            lines.append("method=manual")
        } else {
            lines.append("method=" + (ipv4 ? "disabled" : "ignore"))
            return lines
        }
        for (index, address) in addresses.enumerated() { lines.append("address\(index + 1)=\(address)") }
        if !ipv4, let mtu = interface.ipv6MTU { lines.append("mtu=\(mtu)") }
        let routes = interface.routes.filter { $0.gateway.isIPv4 == ipv4 }
        // `gateway=` takes no metric: a default route with one is a route like the others.
        // Nor an on-link flag: such a default route is a route like the others too.
        let gateway = routes.first { $0.destination.isDefault && $0.metric == nil && !$0.onLink }
        if let gateway { lines.append("gateway=\(gateway.gateway)") }
        for (index, route) in routes.filter({ $0 != gateway }).enumerated() {
            lines.append(
                "route\(index + 1)=\(route.destination),\(route.gateway)" + (route.metric.map { ",\($0)" } ?? ""))
            if route.onLink { lines.append("route\(index + 1)_options=onlink=true") }
        }
        let servers = interface.nameservers.filter { $0.isIPv4 == ipv4 }
        if !servers.isEmpty { lines.append("dns=" + servers.map { "\($0);" }.joined()) }
        if ipv4 && !interface.searchDomains.isEmpty {
            lines.append("dns-search=" + interface.searchDomains.map { "\($0);" }.joined())
        }
        if dynamic && !interface.dhcpDefaultRoute { lines.append("never-default=true") }
        return lines
    }

    /// A stable UUID per interface name, so a re-run writes the same bytes (FNV-1a, two
    /// seeds; version nibble 8, "custom", RFC 9562).
    static func uuid(for name: String) -> String {
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash = seed
            for byte in ("guest-agent:" + name).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return hash
        }
        var bytes =
            withUnsafeBytes(of: fnv(0xcbf2_9ce4_8422_2325).bigEndian, Array.init)
            + withUnsafeBytes(of: fnv(0x8422_2325_cbf2_9ce4).bigEndian, Array.init)
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = PlainFormat.hex(bytes)
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4),
            hex.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }
}
