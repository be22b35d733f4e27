import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as bytes (4 or 16), parsed with inet_pton(3) and printed in
/// canonical form with inet_ntop(3), so what a renderer writes is never the metadata's
/// own spelling (no stray characters can ride along into a configuration file).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public var isIPv4: Bool { bytes.count == 4 }
    public var bitCount: Int { bytes.count * 8 }

    public init?(_ text: String) {
        let trimmed = text.trimmingWhitespace()
        // A NUL would end the C string early: "10.0.0.5\0junk" must not read as 10.0.0.5.
        guard !trimmed.isEmpty, trimmed.utf8.count <= 45, !trimmed.utf8.contains(0) else { return nil }
        if trimmed.contains(":") {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, trimmed, &raw) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &raw) { Array($0) }
        } else {
            var raw = in_addr()
            guard inet_pton(AF_INET, trimmed, &raw) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &raw) { Array($0) }
        }
    }

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 4 || bytes.count == 16, "an IP address has 4 or 16 bytes")
        self.bytes = bytes
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var copy = bytes
        let family = isIPv4 ? AF_INET : AF_INET6
        let result = copy.withUnsafeMutableBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard result != nil else { return bytes.map { String($0) }.joined(separator: ".") }
        return String(cString: buffer)
    }

    /// The first `prefix` bits kept, the rest zero.
    public func masked(to prefix: Int) -> IPAddress {
        IPAddress(
            bytes: bytes.enumerated().map { index, byte in
                let keep = max(0, min(8, prefix - index * 8))
                return keep == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
            })
    }

    /// The prefix length of a netmask (contiguous ones then zeros), nil when it is not one.
    public var netmaskPrefix: Int? {
        var prefix = 0
        var seenZero = false
        for byte in bytes {
            for bit in (0..<8).reversed() {
                if byte & (1 << bit) != 0 {
                    if seenZero { return nil }
                    prefix += 1
                } else {
                    seenZero = true
                }
            }
        }
        return prefix
    }

    /// fe80::/10: reachable on any link without a route.
    public var isIPv6LinkLocal: Bool { !isIPv4 && bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80 }
}

/// An address with its prefix length: an interface address (`10.0.0.5/24`) or a network
/// (`10.0.0.0/24`, host bits zero).
public struct IPPrefix: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let length: Int

    public init(address: IPAddress, length: Int) {
        self.address = address
        self.length = length
    }

    public var description: String { "\(address)/\(length)" }
    public var network: IPPrefix { IPPrefix(address: address.masked(to: length), length: length) }
    public var isDefault: Bool { length == 0 }

    public func contains(_ other: IPAddress) -> Bool {
        other.bytes.count == address.bytes.count && other.masked(to: length) == address.masked(to: length)
    }
}
