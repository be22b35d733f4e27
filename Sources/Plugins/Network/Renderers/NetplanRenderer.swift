import DataSources

/// netplan version 2 YAML: `/etc/netplan/50-guest-agent.yaml`, mode 0600 (netplan warns
/// about world-readable files). NICs are matched by MAC and keep the guest's name, or take
/// the one the source gives (`match: macaddress` + `set-name`), or by name when the source
/// gave no MAC. Pure: no I/O.
public enum NetplanRenderer {
    public static let path = "/etc/netplan/50-guest-agent.yaml"

    public static func render(_ network: ResolvedNetwork) -> [RenderedFile] {
        var lines = ["network:", "  version: 2"]
        let groups: [(String, (ResolvedInterface) -> Bool)] = [
            // An IPoIB interface is an ethernet to netplan's networkd backend, matched by name.
            ("ethernets", { $0.isEthernet || $0.kind == .infiniband }),
            ("bonds", { if case .bond = $0.kind { true } else { false } }),
            ("bridges", { if case .bridge = $0.kind { true } else { false } }),
            ("vlans", { if case .vlan = $0.kind { true } else { false } }),
        ]
        for (key, belongs) in groups {
            let members = network.interfaces.filter(belongs)
            guard !members.isEmpty else { continue }
            lines.append("  \(key):")
            for interface in members { lines += stanza(interface, network: network).map { "    " + $0 } }
        }
        return [RenderedFile(path: path, text: RenderedFile.header + lines.joined(separator: "\n") + "\n", mode: 0o600)]
    }

    private static func stanza(_ interface: ResolvedInterface, network: ResolvedNetwork) -> [String] {
        var lines = ["\(interface.name):"]
        switch interface.kind {
        case .ethernet:
            // A renamed NIC the source found by name is matched by the MAC it has: its name
            // changes.
            if let mac = interface.macAddress ?? (interface.kernelName != nil ? interface.guestMAC : nil) {
                lines += ["  match:", "    macaddress: \"\(mac)\"", "  set-name: \(interface.name)"]
            } else {
                // A link the source named without a MAC (ENI, network config): matched by name.
                lines += ["  match:", "    name: \"\(interface.name)\""]
            }
            if let wake = interface.wakeOnLAN { lines.append("  wakeonlan: \(wake)") }
        case .infiniband:
            lines += ["  match:", "    name: \"\(interface.name)\""]
        case .bond(let bond):
            lines.append("  interfaces: [\(network.members(of: interface.name).joined(separator: ", "))]")
            lines.append("  parameters:")
            lines.append("    mode: \(bond.mode)")
            if let miimon = bond.miimon { lines.append("    mii-monitor-interval: \(miimon)") }
            if let policy = bond.xmitHashPolicy { lines.append("    transmit-hash-policy: \(policy)") }
            if let rate = bond.lacpRate { lines.append("    lacp-rate: \(rate)") }
            for (key, value) in BondOptionSpelling.netplan.options(bond, primaryName: network.primaryName(of: bond)) {
                lines.append("    \(key): \(value)")
            }
            if let mac = interface.macAddress { lines.append("  macaddress: \"\(mac)\"") }
        case .vlan(let parent, let id):
            lines += ["  id: \(id)", "  link: \(parent)"]
            if let mac = interface.macAddress { lines.append("  macaddress: \"\(mac)\"") }
        case .bridge(let bridge):
            lines.append("  interfaces: [\(network.ports(of: interface.name).joined(separator: ", "))]")
            lines.append("  parameters:")
            // Spanning tree off unless asked for: the kernel's, ifupdown's and networkd's
            // default, which netplan and NetworkManager would otherwise turn on.
            lines.append("    stp: \(bridge.stp ?? false)")
            if let delay = bridge.forwardDelay { lines.append("    forward-delay: \(delay)") }
            lines += BridgeOptionSpelling.netplan.bridgeLines(bridge, separator: ": ").map { "    " + $0 }
            for option in BridgeOption.allCases where option.isPerPort {
                let values = network.portValues(option, of: bridge, named: interface.name)
                guard !values.isEmpty else { continue }
                lines.append("    \(BridgeOptionSpelling.netplan.key(option)):")
                lines += values.map { "      \($0.0): \($0.1)" }
            }
            if let mac = interface.macAddress { lines.append("  macaddress: \"\(mac)\"") }
        }
        if let mtu = interface.mtu { lines.append("  mtu: \(mtu)") }
        if !interface.startsAtBoot { lines.append("  activation-mode: manual") }
        if let mtu = interface.ipv6MTU, !interface.isPort { lines.append("  ipv6-mtu: \(mtu)") }
        guard !interface.isPort else { return lines }
        lines.append("  dhcp4: \(interface.dhcp4)")
        if interface.dhcp4 && !interface.dhcpDefaultRoute { lines += ["  dhcp4-overrides:", "    use-routes: false"] }
        lines.append("  dhcp6: \(interface.dhcp6)")
        if interface.dhcp6 && !interface.dhcpDefaultRoute { lines += ["  dhcp6-overrides:", "    use-routes: false"] }
        switch interface.routerAdvertisements {
        case .accept: lines.append("  accept-ra: true")
        case .refuse: lines.append("  accept-ra: false")
        case .unspecified: break
        }
        if !interface.addresses.isEmpty {
            lines.append("  addresses:")
            lines += interface.addresses.map { "  - \"\($0)\"" }
        }
        if !interface.routes.isEmpty {
            lines.append("  routes:")
            for route in interface.routes {
                lines.append("  - to: \"\(route.destination.isDefault ? "default" : route.destination.description)\"")
                lines.append("    via: \"\(route.gateway)\"")
                if let metric = route.metric { lines.append("    metric: \(metric)") }
                // A link-local IPv6 gateway is on the link by definition; netplan needs to be told.
                if route.isOnLink { lines.append("    on-link: true") }
            }
        }
        if !interface.nameservers.isEmpty || !interface.searchDomains.isEmpty {
            lines.append("  nameservers:")
            if !interface.nameservers.isEmpty {
                lines.append("    addresses: [\(interface.nameservers.map { "\"\($0)\"" }.joined(separator: ", "))]")
            }
            if !interface.searchDomains.isEmpty {
                lines.append("    search: [\(interface.searchDomains.joined(separator: ", "))]")
            }
        }
        return lines
    }
}
