import FoundationEssentials

/// The instance's network, normalized from whichever source described it (OpenStack
/// `network_data.json`, EC2 `network/interfaces/macs/`, cloud-init network config v1 and v2,
/// ifupdown ENI text): one immutable value that the network plugin renders for the guest's
/// network stack.
///
/// Link ids are the metadata's (`tap1a2b...`, `eno2`), not guest interface names: physical
/// links are matched to the guest's NICs by MAC address, or by `name` when the source gives
/// an interface name and no MAC (ENI, network config without `mac_address`).
public struct NetworkConfiguration: Sendable, Equatable {
    /// Every link (L2 device), in the order the source listed them.
    public var links: [NetworkLink]
    /// Every L3 configuration, each on one link (`linkID`).
    public var networks: [NetworkSubnet]
    /// Name servers for the whole instance (`services` of type `dns`).
    public var dnsServers: [IPAddress]
    public var searchDomains: [String]
    /// What the converter skipped, each naming the id and why (unknown types): reported, never fatal.
    public var skipped: [String]

    public init(
        links: [NetworkLink], networks: [NetworkSubnet], dnsServers: [IPAddress] = [],
        searchDomains: [String] = [], skipped: [String] = []
    ) {
        self.links = links
        self.networks = networks
        self.dnsServers = dnsServers
        self.searchDomains = searchDomains
        self.skipped = skipped
    }

    public func link(_ id: String) -> NetworkLink? { links.first { $0.id == id } }
    public func networks(on linkID: String) -> [NetworkSubnet] { networks.filter { $0.linkID == linkID } }
}

/// One L2 device.
public struct NetworkLink: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A NIC the guest sees (`phy`, `ovs`, `bridge`, `tap`, `vif`, `ethernet`, ...).
        case physical
        /// An IPoIB interface (network config v1 `infiniband`), matched by its name: the
        /// first bytes of its 20-byte hardware address are not the card's own.
        case infiniband
        case bond(BondSettings)
        case vlan(VLANSettings)
        case bridge(BridgeSettings)
    }

    public var id: String
    public var kind: Kind
    /// Lower-case `aa:bb:cc:dd:ee:ff`. A physical link has a MAC, a `name`, or both; on a
    /// bond, VLAN or bridge it is the MAC the device is given.
    public var macAddress: String?
    /// The interface name the source gives (network config v1/v2, ENI; nil for
    /// `network_data.json` and EC2). A physical link without a MAC is matched to the guest's
    /// NIC of this name; a bond, VLAN or bridge is created with it. A physical link that has
    /// a MAC is matched by the MAC.
    public var name: String?
    /// The name the source asks a NIC to be given, whatever the kernel named it: network
    /// config v1 `name` beside `mac_address`, v2 `set-name`. nil: the NIC keeps the kernel's
    /// name (`network_data.json`, EC2 and ENI give none; a v2 id is not a name).
    public var newName: String?
    /// nil: the image's default (nova sends null for DHCP-served subnets).
    public var mtu: Int?
    /// The IPv6 MTU, below the link's (network config v1 IPv6 subnet `mtu`, v2 `ipv6-mtu`);
    /// nil: the link's.
    public var ipv6MTU: Int?
    /// IPv6 router advertisements as the source says them (network config `accept-ra`);
    /// nil: decided from the link's networks (see `ResolvedInterface.routerAdvertisements`).
    public var acceptRA: Bool?
    /// False when the source says to leave the interface down at boot (network config v1
    /// `control: manual` on every subnet), for someone to bring up by hand.
    public var startsAtBoot = true
    /// Wake-on-LAN by magic packet on a NIC (network config `wakeonlan`); nil: as it is.
    public var wakeOnLAN: Bool?
    /// The kernel driver a NIC must have (network config v2 `match: driver`), checked where
    /// `/sys` says the NIC's driver; nil: any.
    public var driver: String?

    public init(id: String, kind: Kind, macAddress: String?, name: String? = nil, mtu: Int? = nil) {
        self.id = id
        self.kind = kind
        self.macAddress = macAddress
        self.name = name
        self.mtu = mtu
    }
}

public struct BondSettings: Sendable, Equatable {
    /// Link ids of the members, in order.
    public var members: [String]
    /// Linux bonding mode name (`802.3ad`, `active-backup`, ...).
    public var mode: String
    public var miimon: Int?
    public var xmitHashPolicy: String?
    /// `fast` or `slow`.
    public var lacpRate: String?
    /// Milliseconds before a member that came up (or went down) is used (or dropped).
    public var upDelay: Int?
    public var downDelay: Int?
    /// Gratuitous ARPs sent after a failover (`num_grat_arp`).
    public var gratuitousARP: Int?
    /// `none`, `active` or `follow`.
    public var failOverMAC: String?
    /// The member link id preferred in active-backup mode.
    public var primary: String?
    /// `always`, `better` or `failure`.
    public var primaryReselect: String?
    /// 802.3ad aggregator selection: `stable`, `bandwidth` or `count`.
    public var adSelect: String?
    /// Members that must be up for the bond to be up.
    public var minLinks: Int?

    public init(
        members: [String], mode: String, miimon: Int? = nil, xmitHashPolicy: String? = nil, lacpRate: String? = nil
    ) {
        self.members = members
        self.mode = mode
        self.miimon = miimon
        self.xmitHashPolicy = xmitHashPolicy
        self.lacpRate = lacpRate
    }

    /// In the kernel's numbering: mode 4 is `802.3ad` (bonding.rst).
    public static let modes = [
        "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb",
    ]

    /// The mode name for a name or the kernel's number (`"4"` -> `802.3ad`, as cloud-init and
    /// ifenslave take it); other text is returned as it is, for the validator to refuse.
    public static func modeName(_ text: String) -> String {
        let trimmed = text.trimmingWhitespace()
        if trimmed.count == 1, let number = Int(trimmed), modes.indices.contains(number) { return modes[number] }
        return text
    }
    public static let hashPolicies = ["layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4"]
}

public struct VLANSettings: Sendable, Equatable {
    /// Link id of the parent.
    public var parent: String
    public var vlanID: Int

    public init(parent: String, vlanID: Int) {
        self.parent = parent
        self.vlanID = vlanID
    }
}

/// A Linux bridge: its ports and the spanning tree settings the sources can give.
public struct BridgeSettings: Sendable, Equatable {
    /// Link ids of the ports, in order (physical links, bonds or VLANs).
    public var members: [String]
    /// Spanning tree on or off; nil: the backend's default.
    public var stp: Bool?
    /// Forward delay in seconds, only with `stp` on (without spanning tree it does
    /// nothing; the converters leave it out); nil: the backend's default.
    public var forwardDelay: Int?
    /// The bridge-wide `BridgeOption`s given (ageing, priority, hello time, max age); the
    /// others are the backend's defaults.
    public var options: [BridgeOption: Int] = [:]
    /// The per-port `BridgeOption`s given (path cost, port priority): option -> port link id
    /// -> value, only for ports of this bridge.
    public var portOptions: [BridgeOption: [String: Int]] = [:]

    public init(members: [String], stp: Bool? = nil, forwardDelay: Int? = nil) {
        self.members = members
        self.stp = stp
        self.forwardDelay = forwardDelay
    }

    /// The per-port options given for `port`, in `BridgeOption` order.
    public func options(ofPort port: String) -> [(BridgeOption, Int)] {
        BridgeOption.allCases.compactMap { option in portOptions[option]?[port].map { (option, $0) } }
    }

    /// What the kernel accepts for the forward delay (`br_set_forward_delay`: 2 to 30 s).
    public static let forwardDelayRange = 2...30
}

/// One L3 configuration of a link.
public struct NetworkSubnet: Sendable, Equatable {
    public enum Method: Sendable, Equatable {
        /// A fixed address (`ipv4`, `ipv6`).
        case staticAddress(IPPrefix)
        case dhcp4
        /// DHCPv6 for addresses (`ipv6_dhcp`, `ipv6_dhcpv6-stateful`).
        case dhcp6
        /// Router advertisements only (`ipv6_slaac`).
        case slaac
        /// SLAAC for the address, DHCPv6 for the rest (`ipv6_dhcpv6-stateless`).
        case dhcp6Stateless
    }

    public var id: String
    public var linkID: String
    public var method: Method
    /// Static routes (only with a static address: DHCP and RA bring their own).
    public var routes: [NetworkRoute]
    /// This network's own name servers.
    public var dnsServers: [IPAddress]
    /// This network's own search domains (network config `dns_search`, ENI `dns-search`).
    public var searchDomains: [String]
    /// False on EC2 secondary ENIs: the primary NIC owns the default route.
    public var acceptsDefaultRoute: Bool

    public init(
        id: String, linkID: String, method: Method, routes: [NetworkRoute] = [], dnsServers: [IPAddress] = [],
        searchDomains: [String] = [], acceptsDefaultRoute: Bool = true
    ) {
        self.id = id
        self.linkID = linkID
        self.method = method
        self.routes = routes
        self.dnsServers = dnsServers
        self.searchDomains = searchDomains
        self.acceptsDefaultRoute = acceptsDefaultRoute
    }

    public var isIPv6: Bool {
        switch method {
        case .staticAddress(let prefix): !prefix.address.isIPv4
        case .dhcp4: false
        case .dhcp6, .slaac, .dhcp6Stateless: true
        }
    }

    public var staticAddress: IPPrefix? {
        if case .staticAddress(let prefix) = method { return prefix }
        return nil
    }
}

/// A static route: `destination` (a network, `0.0.0.0/0` for the default) via `gateway`.
public struct NetworkRoute: Sendable, Equatable {
    public var destination: IPPrefix
    public var gateway: IPAddress
    /// The route's priority (lower wins); nil: the backend's default.
    public var metric: UInt32?
    /// The source says the gateway is on the link although no address's network holds it
    /// (network config v2 `on-link: true`, as for a /32 address with its provider's
    /// gateway): the route is kept and written with the backend's on-link flag. An IPv6
    /// link-local gateway is on the link without being told (`isOnLink`).
    public var onLink = false

    public init(destination: IPPrefix, gateway: IPAddress, metric: UInt32? = nil, onLink: Bool = false) {
        self.destination = destination
        self.gateway = gateway
        self.metric = metric
        self.onLink = onLink
    }

    /// Whether the backends must be told the gateway is on the link: said so, or an IPv6
    /// link-local gateway.
    public var isOnLink: Bool { onLink || gateway.isIPv6LinkLocal }
}
