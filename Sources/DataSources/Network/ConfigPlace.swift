import AgentBase

/// Where a value sits in a network-config or ENI input (`subject`, `field`), and the typed
/// reads the converters share. Every refusal is a `NetworkConfigError` naming both, so a
/// user can find the line: `network-config config[1] 'eth0', field 'subnets[0].netmask'`.
struct ConfigPlace {
    let subject: String
    let field: String

    init(_ subject: String, _ field: String) {
        self.subject = subject
        self.field = field
    }

    func error(_ reason: String) -> NetworkConfigError { NetworkConfigError(subject, field: field, reason) }

    /// The same subject, another field (`subnets[0]` + `address` -> `subnets[0].address`).
    func appending(_ child: String) -> ConfigPlace {
        ConfigPlace(subject, field.isEmpty ? child : field + "." + child)
    }

    func string(_ value: YAMLValue?) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw error("\(describe(other)) is not a string")
        }
    }

    /// An integer written as a number or as decimal text (`mtu: "1500"`).
    func int(_ value: YAMLValue?) throws -> Int? {
        switch value {
        case nil, .null?: return nil
        case .int(let number)?: return number
        case .string(let text)?:
            guard let number = Int(text.trimmingWhitespace()) else {
                throw error("'\(NetworkText.preview(text))' is not a whole number")
            }
            return number
        case let other?: throw error("\(describe(other)) is not a whole number")
        }
    }

    /// A route metric: a whole number the kernel's 32-bit priority holds.
    func metric(_ value: YAMLValue?) throws -> UInt32? {
        guard let number = try int(value) else { return nil }
        guard let metric = UInt32(exactly: number) else {
            throw error("\(number) is not between 0 and \(UInt32.max)")
        }
        return metric
    }

    /// YAML 1.1 booleans (`true`, `on`, `yes`...) or their text (`'off'`, as cloud-init's
    /// bridge examples quote it).
    func bool(_ value: YAMLValue?) throws -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .string(let text)?:
            switch text.trimmingWhitespace().lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw error("'\(NetworkText.preview(text))' is not true or false")
            }
        case .int(let number)? where number == 0 || number == 1: return number == 1
        case let other?: throw error("\(describe(other)) is not true or false")
        }
    }

    /// A list of strings, or one string of words separated by spaces (cloud-init splits
    /// `dns_nameservers: "1.1.1.1 8.8.8.8"` so).
    func words(_ value: YAMLValue?) throws -> [String] {
        switch value {
        case nil, .null?: return []
        case .string(let text)?: return text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        case .list(let items)?:
            return try items.enumerated().map { index, item in
                guard case .string(let text) = item else {
                    throw appending("[\(index)]").error("\(describe(item)) is not a string")
                }
                return text
            }
        case let other?: throw error("\(describe(other)) is not a list")
        }
    }

    func list(_ value: YAMLValue?) throws -> [YAMLValue] {
        switch value {
        case nil, .null?: return []
        case .list(let items)?: return items
        case let other?: throw error("\(describe(other)) is not a list")
        }
    }

    func map(_ value: YAMLValue?) throws -> [String: YAMLValue] {
        switch value {
        case nil, .null?: return [:]
        case .map(let entries)?: return entries
        case let other?: throw error("\(describe(other)) is not a mapping")
        }
    }

    func mac(_ value: YAMLValue?) throws -> String? {
        // An unquoted MAC of digits only can read as a YAML 1.1 base-60 number (cloud-init's
        // documentation warns of it): say so rather than "not a string".
        if case .int? = value { throw error("reads as a number: quote the MAC address") }
        guard let text = try string(value) else { return nil }
        guard let mac = MACAddress.normalize(text) else {
            throw error("'\(NetworkText.preview(text))' is not a MAC address")
        }
        return mac
    }

    func address(_ text: String) throws -> IPAddress {
        guard let address = IPAddress(text) else { throw error("'\(NetworkText.preview(text))' is not an IP address") }
        return address
    }

    /// `10.0.0.5/24`, or `10.0.0.5` with `netmask` (dotted, IPv6 mask or prefix length).
    /// With neither, IPv6 is a /64 (the size of every SLAAC subnet, as for network_data.json)
    /// and IPv4 is refused: cloud-init guesses /24, and a wrong guess cuts the instance off.
    func prefix(_ text: String, netmask: YAMLValue?, netmaskPlace: ConfigPlace) throws -> IPPrefix {
        let parts = text.trimmingWhitespace().split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address = try self.address(String(parts[0]))
        if parts.count == 2 {
            return IPPrefix(
                address: address,
                length: try OpenStackNetworkEntry.prefixLength(String(parts[1]), family: address, fail: error))
        }
        switch netmask {
        case nil, .null?:
            guard !address.isIPv4 else { throw error("\(address) has no /prefix and no netmask") }
            return IPPrefix(address: address, length: 64)
        case .int(let length)?:
            return IPPrefix(
                address: address,
                length: try OpenStackNetworkEntry.prefixLength(
                    String(length), family: address, fail: netmaskPlace.error))
        case .string(let mask)?:
            return IPPrefix(
                address: address,
                length: try OpenStackNetworkEntry.prefixLength(mask, family: address, fail: netmaskPlace.error))
        case let other?: throw netmaskPlace.error("\(describe(other)) is not a netmask")
        }
    }

    private func describe(_ value: YAMLValue) -> String {
        switch value {
        case .list: "a list"
        case .map: "a mapping"
        case .binary: "binary data"
        default: "'\(NetworkText.preview(value.text))'"
        }
    }
}
