import DataSources

/// The network model with guest interface names: what every renderer takes. Interfaces
/// come in dependency order (NICs, then bonds, then VLANs and bridges, each after what it
/// stands on).
public struct ResolvedNetwork: Sendable, Equatable {
    public var interfaces: [ResolvedInterface]

    public init(interfaces: [ResolvedInterface]) {
        self.interfaces = interfaces
    }

    public func interface(_ name: String) -> ResolvedInterface? { interfaces.first { $0.name == name } }
    /// Names of the members of bond `name`.
    public func members(of name: String) -> [String] { interfaces.filter { $0.bondMaster == name }.map(\.name) }
    /// Names of the ports of bridge `name`.
    public func ports(of name: String) -> [String] { interfaces.filter { $0.bridgeMaster == name }.map(\.name) }
    /// Names of the VLANs on `name`.
    public func vlans(on name: String) -> [String] {
        interfaces.compactMap { if case .vlan(let parent, _) = $0.kind, parent == name { $0.name } else { nil } }
    }
}

public struct ResolvedInterface: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case ethernet
        /// IPoIB, matched by name.
        case infiniband
        case bond(BondSettings)
        /// Parent interface name and VLAN id.
        case vlan(parent: String, id: Int)
        /// Its ports are the interfaces whose `bridgeMaster` is this one's name.
        case bridge(BridgeSettings)
    }

    public var name: String
    /// The name the device has now: `kernelName` until a rename, else `name`.
    public var deviceName: String { kernelName ?? name }
    /// The metadata link id it came from.
    public var linkID: String
    public var kind: Kind
    public var macAddress: String?
    /// The MAC the guest's NIC has, for a NIC matched by name (`macAddress` is nil then):
    /// what a networkd `.link` file can match it by.
    public var guestMAC: String?
    /// Set on a NIC the source renames (network config v1 `name` beside a MAC, v2
    /// `set-name`): the name the kernel gave it, which it has until the rename. `name` is
    /// the new one, the name every file uses.
    public var kernelName: String?
    public var mtu: Int?
    /// False: written, but left down at boot (network config v1 `control: manual`).
    public var startsAtBoot = true
    /// The IPv6 MTU when it is below the link's; nil: the link's.
    public var ipv6MTU: Int?
    /// Wake-on-LAN by magic packet as the source asks; nil: left as it is.
    public var wakeOnLAN: Bool?
    /// Set on a bond member: the bond's name (members carry no L3 configuration).
    public var bondMaster: String?
    /// Set on a bridge port: the bridge's name (ports carry no L3 configuration either).
    public var bridgeMaster: String?
    public var addresses: [IPPrefix] = []
    public var dhcp4 = false
    public var dhcp6 = false
    public var acceptRA = false
    /// The source said `accept-ra` (so `acceptRA` false means refuse, not "nothing said").
    public var routerAdvertisementsGiven = false
    /// False when DHCP must not install a default route (EC2 secondary ENIs).
    public var dhcpDefaultRoute = true
    public var routes: [NetworkRoute] = []
    public var nameservers: [IPAddress] = []
    public var searchDomains: [String] = []

    public init(name: String, linkID: String, kind: Kind, macAddress: String?, mtu: Int?, bondMaster: String? = nil) {
        self.name = name
        self.linkID = linkID
        self.kind = kind
        self.macAddress = macAddress
        self.mtu = mtu
        self.bondMaster = bondMaster
    }

    /// What to say about IPv6 router advertisements on this interface.
    public enum RouterAdvertisements: Sendable, Equatable {
        /// A SLAAC or DHCPv6 network, or `accept-ra: true`: the router's advertisements are
        /// the configuration.
        case accept
        /// Static IPv6 only (the addresses and routes come from the metadata, not from a
        /// router), or `accept-ra: false`.
        case refuse
        /// No IPv6 network in the metadata: nothing is said, the kernel's (or daemon's) default
        /// holds, as with cloud-init.
        case unspecified
    }

    public var routerAdvertisements: RouterAdvertisements {
        if acceptRA { return .accept }
        if routerAdvertisementsGiven { return .refuse }
        return addresses.contains { !$0.address.isIPv4 } ? .refuse : .unspecified
    }

    /// A bond member or a bridge port: brought up by its master, never given addresses.
    public var isPort: Bool { bondMaster != nil || bridgeMaster != nil }

    /// "a bond member" or "a bridge port", for messages; nil when it is neither.
    var portDescription: String? {
        if bondMaster != nil { return "a bond member" }
        if bridgeMaster != nil { return "a bridge port" }
        return nil
    }

    /// Whether any L3 configuration is on it (else it is only brought up, e.g. a VLAN parent).
    public var hasL3: Bool { !addresses.isEmpty || dhcp4 || dhcp6 || acceptRA }
    public var isEthernet: Bool { kind == .ethernet }
    /// The IPv4 and IPv6 default gateways among the routes.
    public var defaultGateways: [IPAddress] { routes.filter(\.destination.isDefault).map(\.gateway) }
}
