/// Checks a whole `NetworkConfiguration` before anything is written, so that broken or
/// hostile metadata can never leave a half-written configuration that cuts the instance
/// off. The first problem found is thrown, naming the link or network id and the field.
public enum NetworkValidator {
    /// More links or networks than any real instance has (nova caps ports per instance far
    /// below this); a description with more is refused as hostile.
    public static let maximumLinks = 256
    public static let maximumNetworks = 1024
    public static let maximumRoutes = 1024
    /// 68 is the IPv4 minimum (RFC 791); 65535 the largest an MTU field can hold. Anything
    /// outside is a typo or an attack.
    public static let mtuRange = 68...65535
    /// IPv6 needs 1280 (RFC 8200 §5).
    public static let ipv6MTURange = 1280...65535

    /// Throws `NetworkConfigError` for the first problem; returns when the model is usable.
    public static func validate(_ config: NetworkConfiguration) throws {
        guard config.links.count <= maximumLinks else {
            throw NetworkConfigError(
                "network description", field: "links",
                "\(config.links.count) links; at most \(maximumLinks) are accepted")
        }
        guard config.networks.count <= maximumNetworks else {
            throw NetworkConfigError(
                "network description", field: "networks",
                "\(config.networks.count) networks; at most \(maximumNetworks) are accepted")
        }
        var ids = Set<String>()
        var macs: [String: String] = [:]
        var names: [String: String] = [:]
        for link in config.links {
            guard ids.insert(link.id).inserted else {
                throw NetworkConfigError.link(link.id, "id", "the id is used by another link")
            }
            if let name = link.name {
                try validateName(name, of: link)
                if let other = names[name] {
                    throw NetworkConfigError.link(
                        link.id, "name", "'\(name)' is also the name of link '\(NetworkText.preview(other))'")
                }
                names[name] = link.id
            }
            if let newName = link.newName, newName != link.name {
                try validateName(newName, of: link)
                if let other = names[newName] {
                    throw NetworkConfigError.link(
                        link.id, "set-name", "'\(newName)' is also the name of link '\(NetworkText.preview(other))'")
                }
                names[newName] = link.id
            }
            if let mtu = link.mtu, !mtuRange.contains(mtu) {
                throw NetworkConfigError.link(
                    link.id, "mtu", "\(mtu) is not between \(mtuRange.lowerBound) and \(mtuRange.upperBound)")
            }
            if let mtu = link.ipv6MTU, !ipv6MTURange.contains(mtu) {
                throw NetworkConfigError.link(
                    link.id, "ipv6_mtu",
                    "\(mtu) is not between \(ipv6MTURange.lowerBound) and \(ipv6MTURange.upperBound)")
            }
            try validateKind(link, in: config)
            // Bonds and VLANs legitimately share their members' or parent's MAC; only two
            // NICs with one MAC make the match to guest interfaces ambiguous.
            if link.kind == .physical, let mac = link.macAddress {
                if let other = macs[mac] {
                    throw NetworkConfigError.link(
                        link.id, "ethernet_mac_address",
                        "\(mac) is also the MAC of link '\(NetworkText.preview(other))'")
                }
                macs[mac] = link.id
            }
        }
        try validateMembership(config)
        var networkIDs = Set<String>()
        for network in config.networks {
            guard networkIDs.insert(network.id).inserted else {
                throw NetworkConfigError.network(network.id, "id", "the id is used by another network")
            }
            guard config.link(network.linkID) != nil else {
                throw NetworkConfigError.network(
                    network.id, "link", "no link has the id '\(NetworkText.preview(network.linkID))'")
            }
            try validateAddress(network)
            guard network.routes.count <= maximumRoutes else {
                throw NetworkConfigError.network(
                    network.id, "routes", "\(network.routes.count) routes; at most \(maximumRoutes) are accepted")
            }
            for (index, route) in network.routes.enumerated() {
                try validateRoute(route, index: index, of: network)
            }
        }
    }

    private static func validateKind(_ link: NetworkLink, in config: NetworkConfiguration) throws {
        switch link.kind {
        case .physical:
            guard link.macAddress != nil || link.name != nil else {
                throw NetworkConfigError.link(
                    link.id, "ethernet_mac_address", "a physical link needs a MAC address or an interface name")
            }
        case .infiniband:
            // The hardware address's first four bytes are the queue pair, set by the driver:
            // only the name finds the interface.
            guard link.name != nil else {
                throw NetworkConfigError.link(link.id, "name", "an InfiniBand link needs its interface name")
            }
        case .bond(let bond):
            guard !bond.members.isEmpty else {
                throw NetworkConfigError.link(link.id, "bond_links", "a bond needs at least one member")
            }
            guard BondSettings.modes.contains(bond.mode) else {
                throw NetworkConfigError.link(
                    link.id, "bond_mode",
                    "'\(NetworkText.preview(bond.mode))' is not one of \(BondSettings.modes.joined(separator: ", ")) (or 0-6)"
                )
            }
            if let policy = bond.xmitHashPolicy, !BondSettings.hashPolicies.contains(policy) {
                throw NetworkConfigError.link(
                    link.id, "bond_xmit_hash_policy",
                    "'\(NetworkText.preview(policy))' is not one of \(BondSettings.hashPolicies.joined(separator: ", "))"
                )
            }
            if let rate = bond.lacpRate, rate != "fast", rate != "slow" {
                throw NetworkConfigError.link(
                    link.id, "bond_lacp_rate", "'\(NetworkText.preview(rate))' is not fast or slow")
            }
            if let miimon = bond.miimon, !(0...60_000).contains(miimon) {
                throw NetworkConfigError.link(link.id, "bond_miimon", "\(miimon) ms is not between 0 and 60000")
            }
            for member in bond.members {
                guard let memberLink = config.link(member) else {
                    throw NetworkConfigError.link(
                        link.id, "bond_links", "member '\(NetworkText.preview(member))' is not a link")
                }
                guard memberLink.kind == .physical else {
                    throw NetworkConfigError.link(
                        link.id, "bond_links", "member '\(NetworkText.preview(member))' is not a physical link")
                }
            }
            if Set(bond.members).count != bond.members.count {
                throw NetworkConfigError.link(link.id, "bond_links", "a member is listed twice")
            }
        case .vlan(let vlan):
            guard (1...4094).contains(vlan.vlanID) else {
                throw NetworkConfigError.link(link.id, "vlan_id", "\(vlan.vlanID) is not between 1 and 4094")
            }
            guard let parent = config.link(vlan.parent) else {
                throw NetworkConfigError.link(
                    link.id, "vlan_link", "no link has the id '\(NetworkText.preview(vlan.parent))'")
            }
            if case .vlan = parent.kind {
                throw NetworkConfigError.link(link.id, "vlan_link", "a VLAN on a VLAN is not supported")
            }
        case .bridge(let bridge):
            try validateBridge(bridge, of: link, in: config)
        }
    }

    private static func validateBridge(_ bridge: BridgeSettings, of link: NetworkLink, in config: NetworkConfiguration)
        throws
    {
        if let delay = bridge.forwardDelay, !BridgeSettings.forwardDelayRange.contains(delay) {
            let range = BridgeSettings.forwardDelayRange
            throw NetworkConfigError.link(
                link.id, "forward_delay", "\(delay) s is not between \(range.lowerBound) and \(range.upperBound)")
        }
        for member in bridge.members {
            guard let memberLink = config.link(member) else {
                throw NetworkConfigError.link(
                    link.id, "bridge_interfaces", "port '\(NetworkText.preview(member))' is not a link")
            }
            if case .bridge = memberLink.kind {
                throw NetworkConfigError.link(
                    link.id, "bridge_interfaces", "port '\(NetworkText.preview(member))' is a bridge")
            }
        }
        if Set(bridge.members).count != bridge.members.count {
            throw NetworkConfigError.link(link.id, "bridge_interfaces", "a port is listed twice")
        }
    }

    /// `lo` is the loopback, never configured from metadata; other names follow `InterfaceName`.
    private static func validateName(_ name: String, of link: NetworkLink) throws {
        guard InterfaceName.isValid(name) else {
            throw NetworkConfigError.link(
                link.id, "name",
                "'\(NetworkText.preview(name))' is not an interface name (1 to 15 letters, digits, '_', '-', '.')")
        }
        guard name != "lo" else {
            throw NetworkConfigError.link(link.id, "name", "'lo' is the loopback, which is not configured here")
        }
    }

    /// A link is a port of at most one bond or bridge: the kernel gives an interface one master.
    private static func validateMembership(_ config: NetworkConfiguration) throws {
        var master: [String: String] = [:]
        for link in config.links {
            let members: [String]
            switch link.kind {
            case .bond(let bond): members = bond.members
            case .bridge(let bridge): members = bridge.members
            case .physical, .infiniband, .vlan: continue
            }
            for member in Set(members) {
                if let other = master[member] {
                    throw NetworkConfigError.link(
                        link.id, "members",
                        "'\(NetworkText.preview(member))' is already a port of '\(NetworkText.preview(other))'")
                }
                master[member] = link.id
            }
        }
    }

    private static func validateAddress(_ network: NetworkSubnet) throws {
        guard let prefix = network.staticAddress else { return }
        let address = prefix.address
        // Why: the network and broadcast addresses of an IPv4 subnet cannot be a host's
        // address; metadata naming one has its address and netmask out of step.
        if address.isIPv4 && prefix.length < 31 {
            if address == address.masked(to: prefix.length) {
                throw NetworkConfigError.network(
                    network.id, "ip_address", "\(address) is the network address of \(prefix.network)")
            }
            let broadcast = IPAddress(
                bytes: address.masked(to: prefix.length).bytes.enumerated().map { index, byte in
                    byte | ~maskByte(prefix.length, index)
                })
            if address == broadcast {
                throw NetworkConfigError.network(
                    network.id, "ip_address", "\(address) is the broadcast address of \(prefix.network)")
            }
        }
    }

    private static func maskByte(_ prefix: Int, _ index: Int) -> UInt8 {
        let keep = max(0, min(8, prefix - index * 8))
        return keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
    }

    private static func validateRoute(
        _ route: NetworkRoute, index: Int, of network: NetworkSubnet
    ) throws {
        let field = "routes[\(index)]"
        guard route.destination.address.isIPv4 == route.gateway.isIPv4 else {
            throw NetworkConfigError.network(
                network.id, field + ".gateway", "\(route.gateway) is not of the same family as \(route.destination)")
        }
        if let own = network.staticAddress, own.address.isIPv4 != route.gateway.isIPv4 {
            throw NetworkConfigError.network(
                network.id, field + ".gateway", "\(route.gateway) is not of the same family as the address \(own)")
        }
        guard route.destination.address == route.destination.network.address else {
            throw NetworkConfigError.network(
                network.id, field + ".network",
                "\(route.destination.address) has bits outside its netmask /\(route.destination.length)")
        }
        // A gateway no network reaches never gets here: `NetworkDescription.make` drops its
        // route first, named (`droppingUnreachableRoutes`).
    }
}
