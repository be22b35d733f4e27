import AgentBase
import FoundationEssentials

/// One `networks[]` entry of `network_data.json`, and the `services` lists.
enum OpenStackNetworkEntry {
    static func convert(_ raw: JSONValue, index: Int, skipped: inout [String]) throws -> NetworkSubnet? {
        guard let entry = raw.objectValue else {
            throw NetworkConfigError("networks[\(index)]", field: "", "not an object")
        }
        guard let id = entry["id"]?.stringValue, !id.isEmpty else {
            throw NetworkConfigError("networks[\(index)]", field: "id", "missing or not a string")
        }
        guard let link = entry["link"]?.stringValue else {
            throw NetworkConfigError.network(id, "link", "missing or not a string")
        }
        guard let type = entry["type"]?.stringValue else {
            throw NetworkConfigError.network(id, "type", "missing or not a string")
        }
        let method: NetworkSubnet.Method
        switch type {
        case "ipv4", "ipv6": method = .staticAddress(try address(entry, id: id, ipv6: type == "ipv6"))
        case "ipv4_dhcp": method = .dhcp4
        case "ipv6_dhcp", "ipv6_dhcpv6-stateful": method = .dhcp6
        case "ipv6_slaac": method = .slaac
        case "ipv6_dhcpv6-stateless": method = .dhcp6Stateless
        default:
            skipped.append("network '\(NetworkText.preview(id))': unknown type '\(NetworkText.preview(type))', skipped")
            return nil
        }
        // Routes only with a fixed address: with DHCP or router advertisements the network
        // announces its own, and a gateway cannot be checked against an unknown address.
        var routes: [NetworkRoute] = []
        if case .staticAddress = method {
            let rawRoutes = try OpenStackNetworkConverter.list(
                entry["routes"], subject: "network '\(NetworkText.preview(id))'", field: "routes")
            guard rawRoutes.count <= NetworkValidator.maximumRoutes else {
                throw NetworkConfigError.network(
                    id, "routes", "\(rawRoutes.count) routes; at most \(NetworkValidator.maximumRoutes) are accepted")
            }
            for (routeIndex, rawRoute) in rawRoutes.enumerated() {
                routes.append(try route(rawRoute, id: id, index: routeIndex))
            }
        }
        let services = try services(
            entry["services"], subject: "network '\(NetworkText.preview(id))'", skipped: &skipped)
        return NetworkSubnet(id: id, linkID: link, method: method, routes: routes, dnsServers: services.dns)
    }

    /// `ip_address` with `netmask` (dotted IPv4, expanded IPv6 mask, or a prefix length), or
    /// an `ip_address` that carries `/prefix` itself.
    static func address(_ entry: [String: JSONValue], id: String, ipv6: Bool) throws -> IPPrefix {
        guard let text = entry["ip_address"]?.stringValue else {
            throw NetworkConfigError.network(id, "ip_address", "missing or not a string")
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else {
            throw NetworkConfigError.network(id, "ip_address", "'\(NetworkText.preview(text))' is not an IP address")
        }
        guard address.isIPv4 != ipv6 else {
            throw NetworkConfigError.network(id, "ip_address", "\(address) is not an \(ipv6 ? "IPv6" : "IPv4") address")
        }
        let length: Int
        if parts.count == 2 {
            length = try prefixLength(String(parts[1]), family: address, fail: { .network(id, "ip_address", $0) })
        } else if ipv6, isUnset(entry["netmask"]) {
            // An IPv6 network without a netmask (`""`, null or absent) is a /64, as cloud-init
            // reads it: the size of every SLAAC-capable IPv6 subnet. IPv4 has no such default.
            length = 64
        } else {
            length = try netmask(entry["netmask"], family: address, fail: { .network(id, "netmask", $0) })
        }
        return IPPrefix(address: address, length: length)
    }

    private static func isUnset(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: true
        case .string(let text)?: text.trimmingWhitespace().isEmpty
        default: false
        }
    }

    static func netmask(_ value: JSONValue?, family: IPAddress, fail: (String) -> NetworkConfigError) throws -> Int {
        switch value {
        case .number(let number)?:
            return try prefixLength(JSONValue.number(number).plainText, family: family, fail: fail)
        case .bool(let flag)?: return try prefixLength(flag ? "1" : "0", family: family, fail: fail)
        case .string(let text)?: return try prefixLength(text, family: family, fail: fail)
        case nil, .null?: throw fail("missing")
        default: throw fail("not a string or number")
        }
    }

    /// `24`, `/24`, `255.255.255.0` or `ffff:ffff:ffff:ffff::`, checked against the address family.
    static func prefixLength(_ text: String, family: IPAddress, fail: (String) -> NetworkConfigError) throws -> Int {
        let trimmed = text.trimmingWhitespace()
        let digits = trimmed.hasPrefix("/") ? String(trimmed.dropFirst()) : trimmed
        if !digits.isEmpty, digits.count <= 3, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let length = Int(digits)
        {
            guard length <= family.bitCount else {
                throw fail("prefix /\(length) is longer than \(family.bitCount) bits")
            }
            return length
        }
        guard let mask = IPAddress(trimmed) else {
            throw fail("'\(NetworkText.preview(text))' is not a netmask or prefix length")
        }
        guard mask.isIPv4 == family.isIPv4 else { throw fail("\(mask) is not a netmask for \(family)") }
        guard let length = mask.netmaskPrefix else { throw fail("\(mask) is not a contiguous netmask") }
        return length
    }

    static func route(_ raw: JSONValue, id: String, index: Int) throws -> NetworkRoute {
        let field = "routes[\(index)]"
        guard let entry = raw.objectValue else { throw NetworkConfigError.network(id, field, "not an object") }
        guard let networkText = entry["network"]?.stringValue, let network = IPAddress(networkText) else {
            throw NetworkConfigError.network(id, field + ".network", "missing or not an IP address")
        }
        guard let gatewayText = entry["gateway"]?.stringValue, let gateway = IPAddress(gatewayText) else {
            throw NetworkConfigError.network(id, field + ".gateway", "missing or not an IP address")
        }
        let length = try netmask(entry["netmask"], family: network, fail: { .network(id, field + ".netmask", $0) })
        return NetworkRoute(destination: IPPrefix(address: network, length: length), gateway: gateway)
    }

    /// `[{"type": "dns", "address": ..., "search": [...]}]`; other types are reported and left out.
    static func services(_ value: JSONValue?, subject: String, skipped: inout [String]) throws -> (
        dns: [IPAddress], search: [String]
    ) {
        var dns: [IPAddress] = []
        var search: [String] = []
        for (index, raw) in try OpenStackNetworkConverter.list(value, subject: subject, field: "services").enumerated()
        {
            guard let entry = raw.objectValue, let type = entry["type"]?.stringValue else {
                throw NetworkConfigError(subject, field: "services[\(index)]", "not an object with a type")
            }
            guard type == "dns" else {
                skipped.append("\(subject) services[\(index)]: unknown type '\(NetworkText.preview(type))', skipped")
                continue
            }
            if let text = entry["address"]?.stringValue {
                guard let address = IPAddress(text) else {
                    throw NetworkConfigError(
                        subject, field: "services[\(index)].address",
                        "'\(NetworkText.preview(text))' is not an IP address")
                }
                if !dns.contains(address) { dns.append(address) }
            }
            let domains = (entry["search"]?.arrayValue ?? entry["search"]?.stringValue.map { [.string($0)] } ?? [])
            for domain in domains {
                guard let name = domain.stringValue, DomainName.isValid(name) else {
                    throw NetworkConfigError(
                        subject, field: "services[\(index)].search",
                        "'\(NetworkText.preview(domain.plainText))' is not a domain name")
                }
                if !search.contains(name) { search.append(name) }
            }
        }
        return (dns, search)
    }
}

/// DNS search domains as written into configuration files: letters, digits, `-` and `.`.
enum DomainName {
    static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels =
            name.hasSuffix(".")
            ? name.dropLast().split(separator: ".", omittingEmptySubsequences: false)
            : name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }
}
