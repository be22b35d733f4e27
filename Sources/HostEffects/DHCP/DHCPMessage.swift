import FoundationEssentials

/// An IPv4 address as DHCP carries it: four bytes in network order.
public struct DHCPAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Nil unless exactly four bytes.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        self.bytes = Array(bytes)
    }

    public static let zero = DHCPAddress([0, 0, 0, 0])!
    public static let broadcast = DHCPAddress([255, 255, 255, 255])!

    public var value: UInt32 { bytes.reduce(0) { $0 << 8 | UInt32($1) } }
    public var description: String { bytes.map(String.init).joined(separator: ".") }
}

/// The DHCP message types the client sends or reads (RFC 2132 option 53).
public enum DHCPMessageType: UInt8, Sendable {
    case discover = 1
    case offer, request, decline, ack, nak, release
}

/// A BOOTP/DHCP message the client sends (RFC 2131 section 4.4.1): DHCPDISCOVER, or the
/// DHCPREQUEST of the SELECTING state (requested address and server id from the offer).
public struct DHCPClientMessage: Sendable, Equatable {
    public var type: DHCPMessageType
    public var transactionID: UInt32
    /// The NIC's 6-byte MAC address (`chaddr`).
    public var hardwareAddress: [UInt8]
    public var requestedAddress: DHCPAddress?
    public var serverIdentifier: DHCPAddress?

    public init(
        type: DHCPMessageType, transactionID: UInt32, hardwareAddress: [UInt8], requestedAddress: DHCPAddress? = nil,
        serverIdentifier: DHCPAddress? = nil
    ) {
        self.type = type
        self.transactionID = transactionID
        self.hardwareAddress = hardwareAddress
        self.requestedAddress = requestedAddress
        self.serverIdentifier = serverIdentifier
    }

    /// The options asked for (option 55): subnet mask, router, lease time, server id,
    /// classless static routes (RFC 3442).
    static let parameterRequestList: [UInt8] = [1, 3, 51, 54, 121]

    /// The BOOTP payload (RFC 2131 figure 1), at least 300 bytes: RFC 1542 says relays and
    /// some servers drop shorter BOOTP messages. The broadcast flag is set so that a server
    /// answers to 255.255.255.255: the NIC has no address yet.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [1, 1, 6, 0]  // op BOOTREQUEST, htype Ethernet, hlen 6, hops
        bytes += withUnsafeBytes(of: transactionID.bigEndian, Array.init)
        bytes += [0, 0, 0x80, 0]  // secs, flags (broadcast)
        bytes += [UInt8](repeating: 0, count: 16)  // ciaddr, yiaddr, siaddr, giaddr
        bytes += hardwareAddress.prefix(16) + [UInt8](repeating: 0, count: 16 - min(16, hardwareAddress.count))
        bytes += [UInt8](repeating: 0, count: 64 + 128)  // sname, file
        bytes += DHCPOptions.magicCookie
        bytes += [53, 1, type.rawValue]
        if let requestedAddress { bytes += [50, 4] + requestedAddress.bytes }
        if let serverIdentifier { bytes += [54, 4] + serverIdentifier.bytes }
        bytes += [55, UInt8(Self.parameterRequestList.count)] + Self.parameterRequestList
        bytes.append(255)
        if bytes.count < 300 { bytes += [UInt8](repeating: 0, count: 300 - bytes.count) }
        return bytes
    }
}

/// Why a received message is not a usable DHCP reply. Each names the field.
public enum DHCPParseError: Error, Equatable, CustomStringConvertible {
    case truncated(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .truncated(let what): "truncated DHCP message: \(what)"
        case .invalid(let what): "invalid DHCP message: \(what)"
        }
    }
}

/// A server's BOOTREPLY (RFC 2131), with its options (RFC 2132) by code. Options from the
/// `sname` and `file` fields (option 52, overload) are not read: the client needs only the
/// options every server puts in the options field.
public struct DHCPServerMessage: Sendable, Equatable {
    public var transactionID: UInt32
    public var hardwareAddress: [UInt8]
    /// `yiaddr`: the address offered or acknowledged.
    public var yourAddress: DHCPAddress
    /// Option code -> value; a code given twice has its values joined (RFC 3396).
    public var options: [UInt8: [UInt8]]

    /// Fixed BOOTP fields (236 bytes) and the magic cookie.
    static let headerLength = 240

    /// Parses a BOOTREPLY. Throws on a message shorter than its fixed fields, a wrong
    /// cookie, an option running past the end, or a missing or malformed message type.
    public init(parsing bytes: [UInt8]) throws {
        guard bytes.count >= Self.headerLength else {
            throw DHCPParseError.truncated(
                "\(bytes.count) bytes, fewer than the \(Self.headerLength) of BOOTP's fixed fields")
        }
        guard bytes[0] == 2 else { throw DHCPParseError.invalid("op \(bytes[0]) is not BOOTREPLY (2)") }
        guard bytes[1] == 1, bytes[2] == 6 else {
            throw DHCPParseError.invalid("hardware type \(bytes[1]) / length \(bytes[2]) is not Ethernet (1/6)")
        }
        guard Array(bytes[236..<240]) == DHCPOptions.magicCookie else {
            throw DHCPParseError.invalid("no DHCP magic cookie at offset 236")
        }
        transactionID = bytes[4..<8].reduce(0) { $0 << 8 | UInt32($1) }
        hardwareAddress = Array(bytes[28..<34])
        yourAddress = DHCPAddress(bytes[16..<20])!
        options = try DHCPOptions.parse(bytes[Self.headerLength...])
        guard let type = options[53] else { throw DHCPParseError.invalid("no message type (option 53)") }
        guard type.count == 1, DHCPMessageType(rawValue: type[0]) != nil else {
            throw DHCPParseError.invalid("message type (option 53) \(type) is not one byte of a known type")
        }
    }

    public var type: DHCPMessageType { DHCPMessageType(rawValue: options[53]![0])! }

    /// Option 54, when it is four bytes.
    public var serverIdentifier: DHCPAddress? { options[54].flatMap { DHCPAddress($0) } }
}

/// The options field: codes, lengths and values (RFC 2132 section 2).
enum DHCPOptions {
    static let magicCookie: [UInt8] = [99, 130, 83, 99]

    /// Pad (0) is skipped, End (255) stops; every other option must fit in the field.
    static func parse(_ field: ArraySlice<UInt8>) throws -> [UInt8: [UInt8]] {
        var options: [UInt8: [UInt8]] = [:]
        var index = field.startIndex
        while index < field.endIndex {
            let code = field[index]
            if code == 0 {
                index += 1
                continue
            }
            if code == 255 { return options }
            guard index + 1 < field.endIndex else {
                throw DHCPParseError.truncated("option \(code) has no length byte")
            }
            let length = Int(field[index + 1])
            let start = index + 2
            guard start + length <= field.endIndex else {
                throw DHCPParseError.truncated(
                    "option \(code) says \(length) bytes, only \(field.endIndex - start) are left")
            }
            options[code, default: []] += field[start..<start + length]
            index = start + length
        }
        // Servers should end with option 255; a field that just stops is read as ended.
        return options
    }
}
