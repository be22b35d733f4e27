import TestSupport

/// Random JSON values for the clouds' garbage tests: every type, nested, with the shapes the
/// platforms use (interface kinds, address objects) often enough to reach the converters.
enum CloudGarbage {
    static let words = [
        "public", "private", "ipv4", "ipv6", "anchor_ipv4", "ip_address", "netmask", "cidr", "gateway",
        "mac", "nameservers", "interfaces", "ip_addresses", "dhcp", "family", "IPv6", "index", "address",
        "ssh-rsa AAAA k", "", "04:01:57:d1:9e:01", "10.0.0.5", "255.255.0.0", "::1", "x:y",
    ]

    static func value(_ rng: inout SplitMix64, depth: Int) -> String {
        switch rng.below(depth > 0 ? 7 : 4) {
        case 0: return "\"" + rng.pick(words) + "\""
        case 1: return String(rng.int(in: -5...300))
        case 2: return rng.pick(["true", "false", "null", "1.5", "1e400"])
        case 3: return "\"\\u0000\\n\\t" + rng.pick(words) + "\""
        case 4, 5:
            let members = (0..<rng.below(4)).map { _ in
                "\"\(rng.pick(words))\": \(value(&rng, depth: depth - 1))"
            }
            return "{" + members.joined(separator: ", ") + "}"
        default:
            return "[" + (0..<rng.below(4)).map { _ in value(&rng, depth: depth - 1) }.joined(separator: ", ") + "]"
        }
    }
}
