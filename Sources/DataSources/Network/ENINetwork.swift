import AgentBase

/// The network of one ENI `iface` stanza: its method (`inet static|dhcp|manual`, `inet6
/// static|auto|dhcp|manual`), address, gateway and DNS.
enum ENINetwork {
    /// Options of no consequence here: `broadcast` follows from the address and prefix,
    /// `netmask` is read with the address; link options are `ENILink`'s.
    private static let networkOptions: Set<String> = [
        "address", "netmask", "gateway", "dns-nameservers", "dns-search", "broadcast", "dhcp", "accept-ra",
    ]
    private static let commands: Set<String> = ["pre-up", "up", "post-up", "down", "pre-down", "post-down"]

    static func network(_ stanza: ENIStanza, linkID: String, draft: inout NetworkDraft) throws -> NetworkSubnet? {
        let method: NetworkSubnet.Method?
        switch (stanza.family, stanza.method) {
        case ("inet", "static"), ("inet6", "static"): method = .staticAddress(try address(stanza))
        case ("inet", "dhcp"): method = .dhcp4
        case ("inet6", "dhcp"): method = .dhcp6
        case ("inet6", "auto"):
            // `dhcp 1`: SLAAC for the address, DHCPv6 for the rest (ipv6_dhcpv6-stateless).
            method = stanza.first("dhcp")?.values.first == "1" ? .dhcp6Stateless : .slaac
        case ("inet", "manual"), ("inet6", "manual"): method = nil
        default:
            draft.skip(stanza.subject, "\(stanza.family) \(stanza.method) is not supported, skipped")
            return nil
        }
        notes(stanza, method: method, draft: &draft)
        let (servers, search) = try dns(stanza)
        guard let method else {
            // Name servers on a stanza with no address still reach resolvconf when it comes up.
            draft.addGlobalDNS(servers, search: search)
            return nil
        }
        var network = NetworkSubnet(
            id: "\(stanza.name) \(stanza.family) \(stanza.method) (line \(stanza.line))", linkID: linkID,
            method: method,
            dnsServers: servers, searchDomains: search)
        if let gateway = stanza.first("gateway") {
            let place = ConfigPlace(stanza.subject, "gateway (line \(gateway.line))")
            guard let own = network.staticAddress else {
                draft.skip(stanza.subject, "gateway on a \(stanza.method) stanza is not supported, ignored")
                return network
            }
            let address = try place.address(gateway.values.first ?? "")
            guard address.isIPv4 == own.address.isIPv4 else {
                throw place.error("\(address) is not of the same family as the address \(own)")
            }
            network.routes.append(NetworkDraft.defaultRoute(via: address))
        }
        return network
    }

    /// `address 10.0.0.5/24`, or `address` with `netmask` (dotted or a prefix length, as
    /// Proxmox writes for IPv6); the family must be the stanza's.
    private static func address(_ stanza: ENIStanza) throws -> IPPrefix {
        guard let option = stanza.first("address"), let text = option.values.first else {
            throw ConfigPlace(stanza.subject, "address").error("missing (method static)")
        }
        let place = ConfigPlace(stanza.subject, "address (line \(option.line))")
        let netmask = stanza.first("netmask")
        let maskPlace = ConfigPlace(stanza.subject, "netmask (line \(netmask?.line ?? stanza.line))")
        let prefix = try place.prefix(text, netmask: netmask?.values.first.map { .string($0) }, netmaskPlace: maskPlace)
        guard prefix.address.isIPv4 == (stanza.family == "inet") else {
            throw place.error("\(prefix.address) is not an \(stanza.family == "inet" ? "IPv4" : "IPv6") address")
        }
        return prefix
    }

    static func dns(_ stanza: ENIStanza) throws -> ([IPAddress], [String]) {
        let servers = stanza.options("dns-nameservers").flatMap(\.values)
        let search = stanza.options("dns-search").flatMap(\.values)
        let line = stanza.first("dns-nameservers")?.line ?? stanza.line
        return try NetworkDraft.dns(
            servers: servers, search: search, place: ConfigPlace(stanza.subject, "dns-nameservers (line \(line))"),
            searchPlace: ConfigPlace(stanza.subject, "dns-search"))
    }

    /// What this stanza says that the model leaves out, each named.
    private static func notes(_ stanza: ENIStanza, method: NetworkSubnet.Method?, draft: inout NetworkDraft) {
        for option in stanza.options {
            let name = ENIStanza.canonical(option.name)
            if commands.contains(name) {
                draft.skip(stanza.subject, "command '\(NetworkText.preview(option.name))' is never run, skipped")
            } else if name == "accept-ra" {
                let value = option.values.first ?? ""
                if value != "0" || method.map({ if case .staticAddress = $0 { false } else { true } }) ?? true {
                    draft.skip(stanza.subject, "accept_ra \(NetworkText.preview(value)) is not supported, ignored")
                }
            } else if !networkOptions.contains(name) && !ENILink.linkOptions.contains(name) && !name.hasPrefix("bond-")
                && !name.hasPrefix("bridge-")
            {
                draft.skip(stanza.subject, "option '\(NetworkText.preview(option.name))' is not supported, ignored")
            }
        }
    }
}
