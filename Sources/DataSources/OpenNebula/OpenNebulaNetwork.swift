import FoundationEssentials

/// The `ETH<n>_*` variables of an OpenNebula context as the normalized network model.
///
/// Facts relied on (cloud-init `DataSourceOpenNebula.OpenNebulaNetwork`, one-apps
/// `loc-10-network.d/functions`): a network is described only when some `ETH<n>_IP*`
/// variable exists; each NIC is `ETH<n>` with `_MAC`, `_IP`, `_MASK` (default
/// 255.255.255.0), `_GATEWAY`, `_IP6` and `_IP6_ULA` with `_IP6_PREFIX_LENGTH` (default 64),
/// `_IP6_GATEWAY` (older `_GATEWAY6`), `_DNS` and `_SEARCH_DOMAIN` (space-separated, joined
/// with the global `DNS` and `SEARCH_DOMAIN`), `_MTU`, and one-context's `_METHOD`
/// (`static`, `dhcp`, `skip`) and `_IP6_METHOD` (`static`, `auto`, `dhcp`, `disable`). A NIC is
/// matched to the guest by `_MAC`; one without a MAC cannot be placed and is reported in
/// `skipped` (cloud-init walks the guest's NICs instead; cloudbase-init needs the MAC too).
struct OpenNebulaNetwork {
    let context: OpenNebulaContext

    /// nil when the context says nothing about addresses.
    func description() -> NetworkDescription? {
        guard context.variables.keys.contains(where: { $0.hasPrefix("ETH") && $0.contains("_IP") }) else {
            return nil
        }
        return NetworkDescription.make { try convert() }
    }

    /// The NIC numbers the context names (`ETH0_...`, `ETH1_...`), in order.
    func nicNumbers() -> [Int] {
        let numbers = context.variables.keys.compactMap { key -> Int? in
            guard key.hasPrefix("ETH"), let underscore = key.firstIndex(of: "_") else { return nil }
            return Int(key[key.index(key.startIndex, offsetBy: 3)..<underscore])
        }
        return Array(Set(numbers)).sorted()
    }

    func convert() throws -> NetworkConfiguration {
        var links: [NetworkLink] = []
        var networks: [NetworkSubnet] = []
        var skipped: [String] = []
        for number in nicNumbers() {
            let nic = "ETH\(number)"
            func field(_ name: String) -> String? { context.value("\(nic)_\(name)") }
            guard let macText = field("MAC") else {
                skipped.append("\(nic): no \(nic)_MAC, so no guest NIC can be matched to it")
                continue
            }
            guard let mac = MACAddress.normalize(macText) else {
                throw NetworkConfigError.link(
                    nic, "\(nic)_MAC", "'\(NetworkText.preview(macText))' is not a MAC address")
            }
            var mtu: Int?
            if let text = field("MTU") {
                guard let value = Int(text) else {
                    throw NetworkConfigError.link(nic, "\(nic)_MTU", "'\(NetworkText.preview(text))' is not a number")
                }
                mtu = value
            }
            links.append(NetworkLink(id: nic, kind: .physical, macAddress: mac, mtu: mtu))
            let dns = try nameServers(nic)
            let search = words(field("SEARCH_DOMAIN")) + words(context.value("SEARCH_DOMAIN"))
            func subnet(_ suffix: String, _ method: NetworkSubnet.Method, routes: [NetworkRoute] = []) -> NetworkSubnet
            {
                NetworkSubnet(
                    id: "\(nic)-\(suffix)", linkID: nic, method: method, routes: routes, dnsServers: dns,
                    searchDomains: unique(search))
            }
            switch field("METHOD") ?? "static" {
            case "static":
                if let ipv4 = try ipv4(nic, mac: mac) {
                    networks.append(subnet("ipv4", .staticAddress(ipv4.prefix), routes: ipv4.routes))
                }
            case "dhcp": networks.append(subnet("dhcp4", .dhcp4))
            case "skip": break
            case let other:
                throw NetworkConfigError.link(
                    nic, "\(nic)_METHOD", "'\(NetworkText.preview(other))' is not static, dhcp or skip")
            }
            switch field("IP6_METHOD") ?? "static" {
            case "static":
                for (index, prefix) in try ipv6Addresses(nic).enumerated() {
                    networks.append(
                        subnet("ipv6-\(index)", .staticAddress(prefix), routes: index == 0 ? try ipv6Routes(nic) : []))
                }
            case "auto": networks.append(subnet("slaac", .slaac))
            case "dhcp": networks.append(subnet("dhcp6", .dhcp6))
            case "disable": break
            case let other:
                throw NetworkConfigError.link(
                    nic, "\(nic)_IP6_METHOD", "'\(NetworkText.preview(other))' is not static, auto, dhcp or disable")
            }
        }
        return NetworkConfiguration(links: links, networks: networks, skipped: skipped)
    }

    /// `_IP` with `_MASK`, and `_GATEWAY` as the default route. Without `_IP` the address is
    /// the last four bytes of the MAC, OpenNebula's old convention (cloud-init's `mac2ip`).
    func ipv4(_ nic: String, mac: String) throws -> (prefix: IPPrefix, routes: [NetworkRoute])? {
        let text =
            context.value("\(nic)_IP")
            ?? mac.split(separator: ":").suffix(4).compactMap { UInt8($0, radix: 16) }
            .map(String.init).joined(separator: ".")
        guard let address = IPAddress(text), address.isIPv4 else {
            throw NetworkConfigError.link(nic, "\(nic)_IP", "'\(NetworkText.preview(text))' is not an IPv4 address")
        }
        let maskText = context.value("\(nic)_MASK") ?? "255.255.255.0"
        guard let mask = IPAddress(maskText), mask.isIPv4, let length = mask.netmaskPrefix else {
            throw NetworkConfigError.link(
                nic, "\(nic)_MASK", "'\(NetworkText.preview(maskText))' is not an IPv4 netmask")
        }
        var routes: [NetworkRoute] = []
        if let gatewayText = context.value("\(nic)_GATEWAY") {
            guard let gateway = IPAddress(gatewayText), gateway.isIPv4 else {
                throw NetworkConfigError.link(
                    nic, "\(nic)_GATEWAY", "'\(NetworkText.preview(gatewayText))' is not an IPv4 address")
            }
            routes.append(
                NetworkRoute(
                    destination: IPPrefix(address: IPAddress(bytes: [0, 0, 0, 0]), length: 0), gateway: gateway))
        }
        return (IPPrefix(address: address, length: length), routes)
    }

    /// `_IP6` and `_IP6_ULA`, each with `_IP6_PREFIX_LENGTH`.
    func ipv6Addresses(_ nic: String) throws -> [IPPrefix] {
        let lengthText = context.value("\(nic)_IP6_PREFIX_LENGTH") ?? "64"
        guard let length = Int(lengthText), (0...128).contains(length) else {
            throw NetworkConfigError.link(
                nic, "\(nic)_IP6_PREFIX_LENGTH", "'\(NetworkText.preview(lengthText))' is not a prefix length")
        }
        return try ["IP6", "IP6_ULA"].compactMap { name in
            guard let text = context.value("\(nic)_\(name)") else { return nil }
            guard let address = IPAddress(text), !address.isIPv4 else {
                throw NetworkConfigError.link(
                    nic, "\(nic)_\(name)", "'\(NetworkText.preview(text))' is not an IPv6 address")
            }
            return IPPrefix(address: address, length: length)
        }
    }

    /// `_IP6_GATEWAY`, else the older `_GATEWAY6`, as the IPv6 default route.
    func ipv6Routes(_ nic: String) throws -> [NetworkRoute] {
        let name = context.value("\(nic)_IP6_GATEWAY") != nil ? "IP6_GATEWAY" : "GATEWAY6"
        guard let text = context.value("\(nic)_\(name)") else { return [] }
        guard let gateway = IPAddress(text), !gateway.isIPv4 else {
            throw NetworkConfigError.link(
                nic, "\(nic)_\(name)", "'\(NetworkText.preview(text))' is not an IPv6 address")
        }
        return [
            NetworkRoute(
                destination: IPPrefix(address: IPAddress(bytes: Array(repeating: 0, count: 16)), length: 0),
                gateway: gateway)
        ]
    }

    /// `_DNS` then the global `DNS`, without repeats.
    func nameServers(_ nic: String) throws -> [IPAddress] {
        try unique(words(context.value("\(nic)_DNS")) + words(context.value("DNS"))).map { text in
            guard let address = IPAddress(text) else {
                throw NetworkConfigError.link(nic, "\(nic)_DNS", "'\(NetworkText.preview(text))' is not an IP address")
            }
            return address
        }
    }

    func words(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
    }

    func unique(_ items: [String]) -> [String] {
        items.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }
}
