import AgentBase

/// The `subnets` of a network config v1 device, and routes (`subnets[].routes` and `route`
/// entries).
enum NetworkConfigV1Subnets {
    private static let subnetKeys: Set<String> = [
        "type", "address", "netmask", "prefix", "gateway", "dns_nameservers", "dns_search", "routes", "control",
        "broadcast", "mtu",
    ]

    static func convert(_ subnets: [YAMLValue], linkID: String, place: ConfigPlace, into draft: inout NetworkDraft)
        throws
    {
        try markManualControl(subnets, linkID: linkID, place: place, into: &draft)
        for (index, raw) in subnets.enumerated() {
            let subnet = place.appending("subnets[\(index)]")
            let entry = try subnet.map(raw)
            guard let type = try subnet.appending("type").string(entry["type"]) else {
                throw subnet.appending("type").error("missing")
            }
            let method: NetworkSubnet.Method
            switch type {
            case "dhcp", "dhcp4": method = .dhcp4
            case "dhcp6", "ipv6_dhcpv6-stateful": method = .dhcp6
            case "ipv6_slaac": method = .slaac
            case "ipv6_dhcpv6-stateless": method = .dhcp6Stateless
            case "static", "static6": method = .staticAddress(try address(entry, type: type, place: subnet))
            case "manual":
                continue  // the link is brought up with no address: what no subnet means
            default:
                draft.skip(
                    place.subject, "subnets[\(index)]: type '\(NetworkText.preview(type))' is not supported, skipped")
                continue
            }
            var network = NetworkSubnet(id: "\(linkID) subnets[\(index)]", linkID: linkID, method: method)
            let (servers, search) = try NetworkDraft.dns(
                servers: try subnet.appending("dns_nameservers").words(entry["dns_nameservers"]),
                search: try subnet.appending("dns_search").words(entry["dns_search"]),
                place: subnet.appending("dns_nameservers"), searchPlace: subnet.appending("dns_search"))
            network.dnsServers = servers
            network.searchDomains = search
            try routes(entry, method: method, subnet: subnet, into: &network, draft: &draft)
            if let mtu = try subnet.appending("mtu").int(entry["mtu"]),
                let link = draft.links.lastIndex(where: { $0.id == linkID })
            {
                // The subnet's MTU wins over the link's, as in cloud-init's renderers; on an
                // IPv6 subnet it is the IPv6 MTU (its renderers' `ipv6-mtu`).
                if network.isIPv6 { draft.links[link].ipv6MTU = mtu } else { draft.links[link].mtu = mtu }
            }
            for key in entry.keys.sorted() where !subnetKeys.contains(key) {
                draft.skip(
                    place.subject, "subnets[\(index)]: key '\(NetworkText.preview(key))' is not supported, ignored")
            }
            draft.networks.append(network)
        }
    }

    /// `control: manual` on every subnet (cloud-init's eni renderer's rule): the link is
    /// configured but left down at boot. `auto` (the default) and `hotplug` bring it up.
    private static func markManualControl(
        _ subnets: [YAMLValue], linkID: String, place: ConfigPlace, into draft: inout NetworkDraft
    ) throws {
        guard !subnets.isEmpty, let link = draft.links.lastIndex(where: { $0.id == linkID }) else { return }
        var controls: [String] = []
        for (index, raw) in subnets.enumerated() {
            let field = place.appending("subnets[\(index)]").appending("control")
            let control = try field.string(try place.appending("subnets[\(index)]").map(raw)["control"]) ?? "auto"
            guard ["auto", "hotplug", "manual"].contains(control) else {
                throw field.error("'\(NetworkText.preview(control))' is not auto, hotplug or manual")
            }
            controls.append(control)
        }
        if controls.allSatisfy({ $0 == "manual" }) { draft.links[link].startsAtBoot = false }
    }

    /// `address` with a `/prefix`, a `netmask` or a `prefix`; `static6` must be IPv6.
    private static func address(_ entry: [String: YAMLValue], type: String, place: ConfigPlace) throws -> IPPrefix {
        guard let text = try place.appending("address").string(entry["address"]) else {
            throw place.appending("address").error("missing")
        }
        let mask = entry["netmask"] ?? entry["prefix"]
        let maskPlace = place.appending(entry["netmask"] != nil ? "netmask" : "prefix")
        let prefix = try place.appending("address").prefix(text, netmask: mask, netmaskPlace: maskPlace)
        if type == "static6" && prefix.address.isIPv4 {
            throw place.appending("address").error("\(prefix.address) is not an IPv6 address (type static6)")
        }
        return prefix
    }

    /// `gateway` (a default route) and `routes`: only with a static address, whose family
    /// the gateway must share; on a DHCP or SLAAC subnet the network brings its own (skipped, named).
    private static func routes(
        _ entry: [String: YAMLValue], method: NetworkSubnet.Method, subnet: ConfigPlace,
        into network: inout NetworkSubnet, draft: inout NetworkDraft
    ) throws {
        let rawRoutes = try subnet.appending("routes").list(entry["routes"])
        let gatewayText = try subnet.appending("gateway").string(entry["gateway"])
        guard let own = network.staticAddress else {
            if gatewayText != nil || !rawRoutes.isEmpty {
                draft.skip(
                    subnet.subject, "\(subnet.field): gateway and routes on a dynamic subnet are not supported, ignored"
                )
            }
            return
        }
        if let gatewayText {
            let gateway = try subnet.appending("gateway").address(gatewayText)
            guard gateway.isIPv4 == own.address.isIPv4 else {
                throw subnet.appending("gateway").error("\(gateway) is not of the same family as the address \(own)")
            }
            network.routes.append(NetworkDraft.defaultRoute(via: gateway))
        }
        guard rawRoutes.count <= NetworkValidator.maximumRoutes else {
            throw subnet.appending("routes").error(
                "\(rawRoutes.count) routes; at most \(NetworkValidator.maximumRoutes) are accepted")
        }
        for (index, raw) in rawRoutes.enumerated() {
            let place = subnet.appending("routes[\(index)]")
            let route = try self.route(try place.map(raw), place: place, draft: &draft)
            if !network.routes.contains(route) { network.routes.append(route) }
        }
    }

    /// `{network|destination, netmask|prefix, gateway, metric}`; `default` is the default
    /// route; an IPv4 destination needs its prefix or netmask (see `ConfigPlace.prefix`).
    static func route(_ entry: [String: YAMLValue], place: ConfigPlace, draft: inout NetworkDraft) throws
        -> NetworkRoute
    {
        let destinationKey = entry["network"] != nil ? "network" : "destination"
        guard let gatewayText = try place.appending("gateway").string(entry["gateway"]) else {
            throw place.appending("gateway").error("missing")
        }
        let gateway = try place.appending("gateway").address(gatewayText)
        guard let text = try place.appending(destinationKey).string(entry[destinationKey]) else {
            throw place.appending(destinationKey).error("missing")
        }
        let destination: IPPrefix
        if text.trimmingWhitespace() == "default" {
            destination = NetworkDraft.defaultRoute(via: gateway).destination
        } else {
            let mask = entry["netmask"] ?? entry["prefix"]
            let maskPlace = place.appending(entry["netmask"] != nil ? "netmask" : "prefix")
            destination = try place.appending(destinationKey).prefix(text, netmask: mask, netmaskPlace: maskPlace)
        }
        guard destination.address.isIPv4 == gateway.isIPv4 else {
            throw place.appending("gateway").error("\(gateway) is not of the same family as \(destination)")
        }
        return NetworkRoute(
            destination: destination, gateway: gateway, metric: try place.appending("metric").metric(entry["metric"]))
    }
}
