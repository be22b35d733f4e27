import AgentBase

/// cloud-init network config version 1 (docs/PROTOCOLS.md §6.1): the `config:` list of
/// `physical`, `bond`, `vlan`, `bridge`, `nameserver` and `route` entries. Link ids are the
/// entries' `name`s, which other entries refer to (`bond_interfaces`, `vlan_link`).
///
/// Malformed values throw `NetworkConfigError` naming the entry and field; what the model
/// cannot express (other entry types, bond and bridge parameters beyond the modelled ones)
/// is listed in `skipped`.
enum NetworkConfigV1Converter {
    static let subject = "network-config"
    /// Keys every device entry may carry that say nothing more (`id` is MAAS's).
    private static let deviceKeys: Set<String> = [
        "type", "name", "mac_address", "mtu", "subnets", "params", "id", "bond_interfaces", "vlan_link", "vlan_id",
        "bridge_interfaces", "accept-ra", "wakeonlan",
    ]

    /// nil when the list is empty (nothing to configure).
    static func convert(_ body: [String: YAMLValue]) throws -> NetworkConfiguration? {
        let entries = try ConfigPlace(subject, "config").list(body["config"])
        guard !entries.isEmpty else { return nil }
        var draft = NetworkDraft()
        try draft.checkLinkCount(entries.count, subject: subject)
        for key in body.keys.sorted() where !["version", "config"].contains(key) {
            draft.skip(subject, "key '\(NetworkText.preview(key))' is not supported, ignored")
        }
        var routes: [(place: ConfigPlace, entry: [String: YAMLValue])] = []
        var boundDNS: [(link: String, servers: [IPAddress], search: [String], place: ConfigPlace)] = []
        for (index, raw) in entries.enumerated() {
            let place = ConfigPlace("\(subject) config[\(index)]", "")
            let entry = try place.map(raw)
            guard let type = try place.appending("type").string(entry["type"]) else {
                throw place.appending("type").error("missing")
            }
            switch type {
            case "physical", "infiniband", "bond", "vlan", "bridge":
                try device(entry, type: type, index: index, into: &draft)
            case "nameserver":
                let (servers, search) = try NetworkDraft.dns(
                    servers: try place.appending("address").words(entry["address"]),
                    search: try place.appending("search").words(entry["search"]), place: place.appending("address"),
                    searchPlace: place.appending("search"))
                if let link = try place.appending("interface").string(entry["interface"]) {
                    boundDNS.append((link, servers, search, place))
                } else {
                    draft.addGlobalDNS(servers, search: search)
                }
            case "route":
                routes.append((place, entry))
            case "loopback":
                try loopback(entry, place: place, into: &draft)
            default:
                draft.skip(place.subject, "type '\(NetworkText.preview(type))' is not supported, skipped")
            }
        }
        guard !draft.isEmpty else { return nil }
        for dns in boundDNS { attach(dns.servers, dns.search, to: dns.link, place: dns.place, in: &draft) }
        for route in routes { try globalRoute(route.entry, place: route.place, into: &draft) }
        return draft.configuration
    }

    private static func device(_ entry: [String: YAMLValue], type: String, index: Int, into draft: inout NetworkDraft)
        throws
    {
        let bare = ConfigPlace("\(subject) config[\(index)]", "")
        guard let name = try bare.appending("name").string(entry["name"]), !name.isEmpty else {
            throw bare.appending("name").error("missing")
        }
        let subjectName = "\(subject) config[\(index)] '\(NetworkText.preview(name))'"
        let place = ConfigPlace(subjectName, "")
        var mac =
            type == "infiniband"
            ? try infiniBandAddress(entry["mac_address"], place: place.appending("mac_address"))
            : try place.appending("mac_address").mac(entry["mac_address"])
        let mtu = try place.appending("mtu").int(entry["mtu"])
        let params = try place.appending("params").map(entry["params"])
        let kind: NetworkLink.Kind
        switch type {
        case "bond":
            let members = try place.appending("bond_interfaces").words(entry["bond_interfaces"])
            kind = .bond(try NetworkConfigV1Parameters.bond(params, members: members, place: place, into: &draft))
        case "vlan":
            guard let parent = try place.appending("vlan_link").string(entry["vlan_link"]) else {
                throw place.appending("vlan_link").error("missing")
            }
            guard let vlanID = try place.appending("vlan_id").int(entry["vlan_id"]) else {
                throw place.appending("vlan_id").error("missing")
            }
            kind = .vlan(VLANSettings(parent: parent, vlanID: vlanID))
        case "bridge":
            let ports = try place.appending("bridge_interfaces").words(entry["bridge_interfaces"])
            let bridge = try NetworkConfigV1Parameters.bridge(params, ports: ports, place: place, into: &draft)
            mac = mac ?? bridge.mac
            kind = .bridge(bridge.settings)
        case "infiniband":
            if !params.isEmpty { draft.skip(subjectName, "params are not supported on an InfiniBand link, ignored") }
            kind = .infiniband
        default:
            if !params.isEmpty { draft.skip(subjectName, "params are not supported on a physical link, ignored") }
            kind = .physical
        }
        for key in entry.keys.sorted() where !deviceKeys.contains(key) {
            draft.skip(subjectName, "key '\(NetworkText.preview(key))' is not supported, ignored")
        }
        var link = NetworkLink(id: name, kind: kind, macAddress: mac, name: name, mtu: mtu)
        // A NIC found by its MAC is given the v1 name, as cloud-init renames it.
        if kind == .physical, mac != nil { link.newName = name }
        link.acceptRA = try place.appending("accept-ra").bool(entry["accept-ra"])
        link.wakeOnLAN = try wakeOnLAN(entry, kind: kind, place: place, into: &draft)
        draft.links.append(link)
        try NetworkConfigV1Subnets.convert(
            try place.appending("subnets").list(entry["subnets"]), linkID: name, place: place, into: &draft)
    }

    /// An `infiniband` entry's `mac_address`: its 20-byte IPoIB address (kept for the record;
    /// the link is matched by name).
    private static func infiniBandAddress(_ value: YAMLValue?, place: ConfigPlace) throws -> String? {
        guard let text = try place.string(value) else { return nil }
        guard let address = MACAddress.normalizeInfiniBand(text) else {
            throw place.error("'\(NetworkText.preview(text))' is not a 20-byte InfiniBand hardware address")
        }
        return address
    }

    /// `wakeonlan` (network config v1 and v2): on a NIC only; elsewhere named in `skipped`.
    static func wakeOnLAN(
        _ entry: [String: YAMLValue], kind: NetworkLink.Kind, place: ConfigPlace, into draft: inout NetworkDraft
    ) throws -> Bool? {
        guard let wanted = try place.appending("wakeonlan").bool(entry["wakeonlan"]) else { return nil }
        guard kind == .physical else {
            draft.skip(place.subject, "wakeonlan is for a NIC, ignored")
            return nil
        }
        return wanted
    }

    /// A `loopback` entry configures nothing; name servers on its subnets are the global ones
    /// (where ENI's conversion puts `dns-*` lines of `iface lo`).
    private static func loopback(_ entry: [String: YAMLValue], place: ConfigPlace, into draft: inout NetworkDraft)
        throws
    {
        for (index, raw) in try place.appending("subnets").list(entry["subnets"]).enumerated() {
            let subnet = place.appending("subnets[\(index)]")
            let values = try subnet.map(raw)
            let (servers, search) = try NetworkDraft.dns(
                servers: try subnet.appending("dns_nameservers").words(values["dns_nameservers"]),
                search: try subnet.appending("dns_search").words(values["dns_search"]),
                place: subnet.appending("dns_nameservers"), searchPlace: subnet.appending("dns_search"))
            draft.addGlobalDNS(servers, search: search)
        }
    }

    /// A `nameserver` entry with `interface`: on that link's networks (global when it has none).
    private static func attach(
        _ servers: [IPAddress], _ search: [String], to link: String, place: ConfigPlace, in draft: inout NetworkDraft
    ) {
        let indices = draft.networks.indices.filter { draft.networks[$0].linkID == link }
        guard !indices.isEmpty else {
            draft.skip(
                place.subject, "interface '\(NetworkText.preview(link))' has no subnet; used as global name servers")
            draft.addGlobalDNS(servers, search: search)
            return
        }
        for index in indices {
            for server in servers where !draft.networks[index].dnsServers.contains(server) {
                draft.networks[index].dnsServers.append(server)
            }
            for domain in search where !draft.networks[index].searchDomains.contains(domain) {
                draft.networks[index].searchDomains.append(domain)
            }
        }
    }

    /// A `route` entry belongs to no interface in v1: it goes on the static network whose
    /// prefix holds its gateway; with none, it cannot be placed and is skipped (named).
    private static func globalRoute(_ entry: [String: YAMLValue], place: ConfigPlace, into draft: inout NetworkDraft)
        throws
    {
        let route = try NetworkConfigV1Subnets.route(entry, place: place, draft: &draft)
        guard let index = draft.networks.firstIndex(where: { $0.staticAddress?.contains(route.gateway) ?? false })
        else {
            draft.skip(
                place.subject,
                "route \(route.destination) via \(route.gateway): the gateway is in no static subnet, skipped")
            return
        }
        if !draft.networks[index].routes.contains(route) { draft.networks[index].routes.append(route) }
    }
}
