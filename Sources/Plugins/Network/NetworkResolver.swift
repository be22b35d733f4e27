import DataSources

/// Gives every link of a validated model its guest interface name: NICs by MAC address
/// (metadata link ids are not guest names), bonds `bond0`, `bond1`... in metadata order,
/// VLANs `<parent>.<id>` (or `vlan<id>` past 15 characters), then folds each network's
/// addresses, DHCP modes, routes and name servers onto its interface.
public enum NetworkResolver {
    public struct Result: Sendable, Equatable {
        public var network: ResolvedNetwork
        /// Links left out (no NIC with that MAC) and what hung on them.
        public var warnings: [String]
    }

    public static func resolve(_ config: NetworkConfiguration, nics: GuestNICs) -> Result {
        var warnings: [String] = []
        var names: [String: String] = [:]  // link id -> guest name
        var interfaces: [ResolvedInterface] = []
        for link in config.links where link.kind == .physical {
            guard let mac = link.macAddress, let name = nics.byMAC[mac] else {
                warnings.append(
                    "link '\(NetworkText.preview(link.id))': no guest interface has the MAC \(link.macAddress ?? "-"), left out"
                )
                continue
            }
            names[link.id] = name
            interfaces.append(
                ResolvedInterface(name: name, linkID: link.id, kind: .ethernet, macAddress: mac, mtu: link.mtu))
        }
        var bondNumber = 0
        for link in config.links {
            guard case .bond(var bond) = link.kind else { continue }
            let members = bond.members.compactMap { names[$0] }
            guard !members.isEmpty else {
                warnings.append(
                    "link '\(NetworkText.preview(link.id))': none of its members is on this guest, left out")
                continue
            }
            var name = "bond\(bondNumber)"
            while nics.byMAC.values.contains(name) {
                bondNumber += 1
                name = "bond\(bondNumber)"
            }
            bondNumber += 1
            names[link.id] = name
            for index in interfaces.indices where members.contains(interfaces[index].name) {
                interfaces[index].bondMaster = name
            }
            bond.members = members
            interfaces.append(
                ResolvedInterface(
                    name: name, linkID: link.id, kind: .bond(bond), macAddress: link.macAddress, mtu: link.mtu))
        }
        for link in config.links {
            guard case .vlan(let vlan) = link.kind else { continue }
            guard let parent = names[vlan.parent] else {
                warnings.append(
                    "link '\(NetworkText.preview(link.id))': its parent '\(NetworkText.preview(vlan.parent))' is not on this guest, left out"
                )
                continue
            }
            var name = "\(parent).\(vlan.vlanID)"
            if name.utf8.count > 15 { name = "vlan\(vlan.vlanID)" }
            var suffix = 1
            while names.values.contains(name) {
                name = "vlan\(vlan.vlanID)-\(suffix)"
                suffix += 1
            }
            names[link.id] = name
            interfaces.append(
                ResolvedInterface(
                    name: name, linkID: link.id, kind: .vlan(parent: parent, id: vlan.vlanID),
                    macAddress: link.macAddress, mtu: link.mtu))
        }
        for network in config.networks {
            guard let name = names[network.linkID], let index = interfaces.firstIndex(where: { $0.name == name }) else {
                warnings.append(
                    "network '\(NetworkText.preview(network.id))': its link '\(NetworkText.preview(network.linkID))' is not on this guest, left out"
                )
                continue
            }
            if interfaces[index].bondMaster != nil {
                warnings.append(
                    "network '\(NetworkText.preview(network.id))': its link '\(NetworkText.preview(network.linkID))' is a bond member, which carries no address; left out"
                )
                continue
            }
            apply(network, to: &interfaces[index])
        }
        assignGlobalDNS(config, to: &interfaces)
        return Result(network: ResolvedNetwork(interfaces: interfaces), warnings: warnings)
    }

    private static func apply(_ network: NetworkSubnet, to interface: inout ResolvedInterface) {
        switch network.method {
        case .staticAddress(let prefix): if !interface.addresses.contains(prefix) { interface.addresses.append(prefix) }
        case .dhcp4: interface.dhcp4 = true
        case .dhcp6:
            interface.dhcp6 = true
            interface.acceptRA = true
        case .slaac: interface.acceptRA = true
        case .dhcp6Stateless:
            interface.acceptRA = true
            interface.dhcp6 = true
        }
        if !network.acceptsDefaultRoute { interface.dhcpDefaultRoute = false }
        for route in network.routes where !interface.routes.contains(route) { interface.routes.append(route) }
        for server in network.dnsServers where !interface.nameservers.contains(server) {
            interface.nameservers.append(server)
        }
    }

    /// Global name servers and search domains go on every interface with a static address
    /// (DHCP brings its own); with none, on the first interface that has any L3 configuration.
    private static func assignGlobalDNS(_ config: NetworkConfiguration, to interfaces: inout [ResolvedInterface]) {
        guard !config.dnsServers.isEmpty || !config.searchDomains.isEmpty else { return }
        var targets = interfaces.indices.filter { !interfaces[$0].addresses.isEmpty }
        if targets.isEmpty, let first = interfaces.indices.first(where: { interfaces[$0].hasL3 }) { targets = [first] }
        for index in targets {
            for server in config.dnsServers where !interfaces[index].nameservers.contains(server) {
                interfaces[index].nameservers.append(server)
            }
            for domain in config.searchDomains where !interfaces[index].searchDomains.contains(domain) {
                interfaces[index].searchDomains.append(domain)
            }
        }
    }
}
