import AgentBase

/// The L3 keys every network config v2 device may carry: `dhcp4`, `dhcp6`, `accept-ra`,
/// `addresses`, `gateway4`/`gateway6`, `routes` and `nameservers`, as networks of its link.
enum NetworkConfigV2Addressing {
    static let keys: Set<String> = [
        "dhcp4", "dhcp6", "accept-ra", "addresses", "gateway4", "gateway6", "routes", "nameservers",
    ]

    static func convert(
        _ entry: [String: YAMLValue], linkID: String, place: ConfigPlace, into draft: inout NetworkDraft
    )
        throws
    {
        var networks: [NetworkSubnet] = []
        if try place.appending("dhcp4").bool(entry["dhcp4"]) == true {
            networks.append(NetworkSubnet(id: "\(linkID) dhcp4", linkID: linkID, method: .dhcp4))
        }
        let dhcp6 = try place.appending("dhcp6").bool(entry["dhcp6"]) == true
        if dhcp6 { networks.append(NetworkSubnet(id: "\(linkID) dhcp6", linkID: linkID, method: .dhcp6)) }
        // `accept-ra` is the link's (`NetworkLink.acceptRA`), read with the device.
        for (index, raw) in try place.appending("addresses").list(entry["addresses"]).enumerated() {
            let field = place.appending("addresses[\(index)]")
            networks.append(
                NetworkSubnet(
                    id: "\(linkID) addresses[\(index)]", linkID: linkID,
                    method: .staticAddress(try address(raw, place: field, draft: &draft))))
        }
        for family in ["gateway4", "gateway6"] {
            guard let text = try place.appending(family).string(entry[family]) else { continue }
            let gateway = try place.appending(family).address(text)
            guard gateway.isIPv4 == (family == "gateway4") else {
                throw place.appending(family).error(
                    "\(gateway) is not an \(family == "gateway4" ? "IPv4" : "IPv6") address")
            }
            add(NetworkDraft.defaultRoute(via: gateway), to: &networks, place: place.appending(family), draft: &draft)
        }
        for (index, raw) in try place.appending("routes").list(entry["routes"]).enumerated() {
            let field = place.appending("routes[\(index)]")
            guard let route = try route(try field.map(raw), place: field, draft: &draft) else { continue }
            add(route, to: &networks, place: field, draft: &draft)
        }
        try nameservers(entry, place: place, networks: &networks, draft: &draft)
        draft.networks += networks
    }

    /// `10.0.0.5/24`, or netplan's `{10.0.0.5/24: {label, lifetime}}` (the options skipped).
    private static func address(_ raw: YAMLValue, place: ConfigPlace, draft: inout NetworkDraft) throws -> IPPrefix {
        var text: String
        switch raw {
        case .string(let value): text = value
        case .map(let entries) where entries.count == 1:
            text = entries.keys.first!
            draft.skip(place.subject, "\(place.field): address options are not supported, ignored")
        default: throw place.error("not an address with a /prefix")
        }
        text = text.trimmingWhitespace()
        // netplan refuses an address without its prefix length; so does the agent.
        guard text.contains("/") else { throw place.error("'\(NetworkText.preview(text))' has no /prefix") }
        return try place.prefix(text, netmask: nil, netmaskPlace: place)
    }

    /// `{to, via, metric, on-link}`; a route with `table`, `from`, `type` or `scope`, or
    /// without `via`, is skipped (named): the model has only plain gateway routes.
    private static func route(_ entry: [String: YAMLValue], place: ConfigPlace, draft: inout NetworkDraft) throws
        -> NetworkRoute?
    {
        let unsupported = ["table", "from", "type", "scope"].filter { entry[$0] != nil }
        guard unsupported.isEmpty, let viaText = try place.appending("via").string(entry["via"]) else {
            let why = unsupported.isEmpty ? "no via" : unsupported.joined(separator: ", ")
            draft.skip(place.subject, "\(place.field): a route with \(why) is not supported, skipped")
            return nil
        }
        let gateway = try place.appending("via").address(viaText)
        guard let toText = try place.appending("to").string(entry["to"]) else {
            throw place.appending("to").error("missing")
        }
        let destination: IPPrefix
        if toText.trimmingWhitespace() == "default" {
            destination = NetworkDraft.defaultRoute(via: gateway).destination
        } else {
            destination = try place.appending("to").prefix(toText, netmask: nil, netmaskPlace: place.appending("to"))
        }
        guard destination.address.isIPv4 == gateway.isIPv4 else {
            throw place.appending("via").error("\(gateway) is not of the same family as \(destination)")
        }
        return NetworkRoute(
            destination: destination, gateway: gateway, metric: try place.appending("metric").metric(entry["metric"]),
            onLink: try place.appending("on-link").bool(entry["on-link"]) ?? false)
    }

    /// A route goes on the device's first static address of its family (v2 routes belong
    /// to the device; the model keeps them with an address whose subnet can be checked).
    private static func add(
        _ route: NetworkRoute, to networks: inout [NetworkSubnet], place: ConfigPlace, draft: inout NetworkDraft
    ) {
        guard let index = networks.firstIndex(where: { $0.staticAddress?.address.isIPv4 == route.gateway.isIPv4 })
        else {
            draft.skip(
                place.subject,
                "\(place.field): \(route.destination) via \(route.gateway) needs a static address of its family, skipped"
            )
            return
        }
        if !networks[index].routes.contains(route) { networks[index].routes.append(route) }
    }

    /// `nameservers: {addresses, search}` on every network of the device (global when it has none).
    private static func nameservers(
        _ entry: [String: YAMLValue], place: ConfigPlace, networks: inout [NetworkSubnet], draft: inout NetworkDraft
    ) throws {
        let field = place.appending("nameservers")
        let values = try field.map(entry["nameservers"])
        for key in values.keys.sorted() where key != "addresses" && key != "search" {
            draft.skip(place.subject, "nameservers.\(NetworkText.preview(key)) is not supported, ignored")
        }
        let (servers, search) = try NetworkDraft.dns(
            servers: try field.appending("addresses").words(values["addresses"]),
            search: try field.appending("search").words(values["search"]), place: field.appending("addresses"),
            searchPlace: field.appending("search"))
        guard !networks.isEmpty else {
            draft.addGlobalDNS(servers, search: search)
            return
        }
        for index in networks.indices {
            networks[index].dnsServers = servers
            networks[index].searchDomains = search
        }
    }
}
