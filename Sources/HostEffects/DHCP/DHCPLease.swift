import FoundationEssentials

/// One classless static route (RFC 3442, option 121): a destination prefix and the router
/// for it (0.0.0.0: the destination is on the link).
public struct DHCPClasslessRoute: Sendable, Equatable {
    public var destination: DHCPAddress
    public var prefixLength: Int
    public var router: DHCPAddress

    /// Whether `address` is inside this route's destination.
    public func contains(_ address: DHCPAddress) -> Bool {
        guard prefixLength > 0 else { return true }
        let mask = UInt32.max << (32 - prefixLength)
        return address.value & mask == destination.value & mask
    }

    /// Parses option 121: each route is a width (0-32), the significant octets of the
    /// destination (width / 8 rounded up), then four octets of router. Throws naming the
    /// route that is malformed.
    public static func parse(_ value: [UInt8]) throws -> [DHCPClasslessRoute] {
        var routes: [DHCPClasslessRoute] = []
        var index = 0
        while index < value.count {
            let width = Int(value[index])
            guard width <= 32 else {
                throw DHCPParseError.invalid("option 121 route \(routes.count + 1): prefix length \(width) is over 32")
            }
            let significant = (width + 7) / 8
            guard index + 1 + significant + 4 <= value.count else {
                throw DHCPParseError.truncated("option 121 route \(routes.count + 1) runs past the option")
            }
            let prefix = value[(index + 1)..<(index + 1 + significant)]
            let destination = DHCPAddress(Array(prefix) + [UInt8](repeating: 0, count: 4 - significant))!
            let router = DHCPAddress(value[(index + 1 + significant)..<(index + 5 + significant)])!
            routes.append(DHCPClasslessRoute(destination: destination, prefixLength: width, router: router))
            index += 1 + significant + 4
        }
        return routes
    }
}

/// What a DHCPACK gives the client: the address with its prefix, and the ways to reach
/// other networks (RFC 2132 options 1, 3, 51, 54; RFC 3442 option 121).
public struct DHCPLease: Sendable, Equatable {
    public var address: DHCPAddress
    public var prefixLength: Int
    /// The first router of option 3.
    public var router: DHCPAddress?
    public var classlessRoutes: [DHCPClasslessRoute]
    public var serverIdentifier: DHCPAddress?
    public var leaseSeconds: UInt32?

    public init(
        address: DHCPAddress, prefixLength: Int, router: DHCPAddress? = nil,
        classlessRoutes: [DHCPClasslessRoute] = [], serverIdentifier: DHCPAddress? = nil, leaseSeconds: UInt32? = nil
    ) {
        self.address = address
        self.prefixLength = prefixLength
        self.router = router
        self.classlessRoutes = classlessRoutes
        self.serverIdentifier = serverIdentifier
        self.leaseSeconds = leaseSeconds
    }

    /// The lease a DHCPACK describes. Throws naming the field when the address is 0.0.0.0,
    /// the subnet mask is missing or not contiguous, or option 3 or 121 is malformed.
    public init(acknowledgement message: DHCPServerMessage) throws {
        guard message.yourAddress != .zero else { throw DHCPParseError.invalid("DHCPACK with yiaddr 0.0.0.0") }
        guard let maskBytes = message.options[1] else {
            throw DHCPParseError.invalid("DHCPACK without a subnet mask (option 1)")
        }
        guard let mask = DHCPAddress(maskBytes) else {
            throw DHCPParseError.invalid("subnet mask (option 1) is \(maskBytes.count) bytes, not 4")
        }
        // Contiguous: the host bits, inverted, are all ones from the bottom (2^k - 1).
        let hostBits = ~mask.value
        let ones = mask.value.nonzeroBitCount
        guard ones > 0, hostBits & (hostBits &+ 1) == 0 else {
            throw DHCPParseError.invalid("subnet mask (option 1) \(mask) is not contiguous")
        }
        var router: DHCPAddress?
        if let routers = message.options[3] {
            guard !routers.isEmpty, routers.count % 4 == 0 else {
                throw DHCPParseError.invalid("router (option 3) is \(routers.count) bytes, not a multiple of 4")
            }
            router = DHCPAddress(routers.prefix(4))
        }
        var leaseSeconds: UInt32?
        if let time = message.options[51] {
            guard time.count == 4 else {
                throw DHCPParseError.invalid("lease time (option 51) is \(time.count) bytes, not 4")
            }
            leaseSeconds = time.reduce(0) { $0 << 8 | UInt32($1) }
        }
        self.init(
            address: message.yourAddress, prefixLength: ones, router: router,
            classlessRoutes: try message.options[121].map(DHCPClasslessRoute.parse) ?? [],
            serverIdentifier: message.serverIdentifier, leaseSeconds: leaseSeconds)
    }

    /// How to reach `destination` (the metadata address) with this lease: the router of the
    /// most specific classless route that covers it (RFC 3442: when option 121 is given,
    /// option 3 is ignored), else option 3's router. `.onLink` when the covering route says
    /// 0.0.0.0 or there is no router at all (a server that puts the metadata service on the
    /// link itself).
    public func gateway(to destination: DHCPAddress) -> DHCPGateway {
        if !classlessRoutes.isEmpty {
            let covering = classlessRoutes.filter { $0.contains(destination) }.max { $0.prefixLength < $1.prefixLength }
            guard let covering, covering.router != .zero else { return .onLink }
            return .via(covering.router)
        }
        return router.map(DHCPGateway.via) ?? .onLink
    }
}

/// The next hop towards an address.
public enum DHCPGateway: Sendable, Equatable, CustomStringConvertible {
    case onLink
    case via(DHCPAddress)

    public var description: String {
        switch self {
        case .onLink: "on the link"
        case .via(let router): "via \(router)"
        }
    }
}
