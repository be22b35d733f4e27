/// A `NetworkConfiguration` being put together by the network-config v1, v2 and ENI
/// converters: what they all add (links, networks, DNS, what was skipped) and the default
/// route a `gateway` stands for.
struct NetworkDraft {
    var links: [NetworkLink] = []
    var networks: [NetworkSubnet] = []
    var dnsServers: [IPAddress] = []
    var searchDomains: [String] = []
    var skipped: [String] = []

    var configuration: NetworkConfiguration {
        NetworkConfiguration(
            links: links, networks: networks, dnsServers: dnsServers, searchDomains: searchDomains, skipped: skipped)
    }

    /// True when nothing but DNS or notes came out: no interface to configure.
    var isEmpty: Bool { links.isEmpty }

    mutating func addGlobalDNS(_ servers: [IPAddress], search: [String]) {
        for server in servers where !dnsServers.contains(server) { dnsServers.append(server) }
        for domain in search where !searchDomains.contains(domain) { searchDomains.append(domain) }
    }

    mutating func skip(_ subject: String, _ what: String) {
        skipped.append("\(subject): \(what)")
    }

    /// Refuses a description with more links than the validator accepts before any more
    /// work is done on it.
    func checkLinkCount(_ count: Int, subject: String) throws {
        guard count <= NetworkValidator.maximumLinks else {
            throw NetworkConfigError(
                subject, field: "", "\(count) interfaces; at most \(NetworkValidator.maximumLinks) are accepted")
        }
    }

    /// A bridge's settings as the model keeps them: a forward delay only with spanning tree
    /// on. Without STP a port forwards at once and the delay does nothing (and NetworkManager
    /// refuses one under 2 s), so it is left out, named in `skipped`.
    mutating func bridge(_ settings: BridgeSettings, subject: String) -> BridgeSettings {
        guard let delay = settings.forwardDelay, settings.stp != true else { return settings }
        skip(subject, "forward delay \(delay) s does nothing without spanning tree, left out")
        var kept = settings
        kept.forwardDelay = nil
        return kept
    }

    /// The default route of a `gateway` key: 0.0.0.0/0 or ::/0 via it.
    static func defaultRoute(via gateway: IPAddress) -> NetworkRoute {
        NetworkRoute(
            destination: IPPrefix(
                address: IPAddress(bytes: [UInt8](repeating: 0, count: gateway.bytes.count)), length: 0),
            gateway: gateway)
    }

    /// Name servers and search domains checked: addresses parsed, domains as resolv.conf takes them.
    static func dns(servers: [String], search: [String], place: ConfigPlace, searchPlace: ConfigPlace) throws -> (
        [IPAddress], [String]
    ) {
        let addresses = try servers.map { text in
            guard let address = IPAddress(text) else {
                throw place.error("'\(NetworkText.preview(text))' is not an IP address")
            }
            return address
        }
        for domain in search where !DomainName.isValid(domain) {
            throw searchPlace.error("'\(NetworkText.preview(domain))' is not a domain name")
        }
        return (addresses, search)
    }
}
