import DataSources

/// Gives every link of a validated model its guest interface name: NICs by MAC address
/// (metadata link ids are not guest names) or, for a link that has only a name (ENI, network
/// config without `mac_address`), by that name; bonds, VLANs and bridges take the name the
/// source gave, else `bond0`, `bond1`..., `<parent>.<id>` (or `vlan<id>` past 15 characters)
/// and `br0`, `br1`... in metadata order. Then folds each network's addresses, DHCP modes,
/// routes and name servers onto its interface.
public enum NetworkResolver {
    public struct Result: Sendable, Equatable {
        public var network: ResolvedNetwork
        /// Links left out (no NIC with that MAC or name) and what hung on them.
        public var warnings: [String]
    }

    public static func resolve(_ config: NetworkConfiguration, nics: GuestNICs) -> Result {
        var state = Resolution(nics: nics)
        for link in config.links {
            if link.kind == .physical { state.addNIC(link) }
            if link.kind == .infiniband { state.addInfiniBand(link) }
        }
        for link in config.links {
            if case .bond(let bond) = link.kind { state.addBond(link, bond) }
        }
        state.addVLANsAndBridges(config.links)
        for network in config.networks {
            guard let name = state.names[network.linkID],
                let index = state.interfaces.firstIndex(where: { $0.name == name })
            else {
                state.warnings.append(
                    "network '\(NetworkText.preview(network.id))': its link '\(NetworkText.preview(network.linkID))' is not on this guest, left out"
                )
                continue
            }
            if let port = state.interfaces[index].portDescription {
                state.warnings.append(
                    "network '\(NetworkText.preview(network.id))': its link '\(NetworkText.preview(network.linkID))' is \(port), which carries no address; left out"
                )
                continue
            }
            apply(network, to: &state.interfaces[index])
        }
        applyLinkSettings(config, to: &state.interfaces)
        assignGlobalDNS(config, to: &state.interfaces)
        return Result(network: ResolvedNetwork(interfaces: state.interfaces), warnings: state.warnings)
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
        for domain in network.searchDomains where !interface.searchDomains.contains(domain) {
            interface.searchDomains.append(domain)
        }
    }

    /// The link's own L3 settings, off ports (a port carries no L3 configuration): `accept-ra`
    /// as the source gives it wins over what the networks imply; the IPv6 MTU; whether it
    /// starts at boot.
    private static func applyLinkSettings(_ config: NetworkConfiguration, to interfaces: inout [ResolvedInterface]) {
        for index in interfaces.indices where !interfaces[index].isPort {
            guard let link = config.link(interfaces[index].linkID) else { continue }
            interfaces[index].ipv6MTU = link.ipv6MTU
            interfaces[index].startsAtBoot = link.startsAtBoot
            guard let explicit = link.acceptRA else { continue }
            interfaces[index].acceptRA = explicit
            interfaces[index].routerAdvertisementsGiven = true
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
