import DataSources

/// Debian ifupdown: `/etc/network/interfaces.d/50-guest-agent` (the plugin makes sure
/// `/etc/network/interfaces` sources it). ifupdown has no MAC matching, so the guest's
/// names (found by MAC, or the source's names) are used directly. Bonds need `ifenslave`,
/// VLANs the `vlan` package, bridges `bridge-utils`; `dns-*` lines need `resolvconf`. Pure: no I/O.
public enum ENIRenderer {
    public static let path = "/etc/network/interfaces.d/50-guest-agent"

    public static func render(_ network: ResolvedNetwork) -> [RenderedFile] {
        let blocks = network.interfaces.map { stanzas(for: $0, network: network).joined(separator: "\n") }
        return [RenderedFile(path: path, text: RenderedFile.header + blocks.joined(separator: "\n\n") + "\n")]
            + InterfaceNamingRules.render(network)
    }

    private static func stanzas(for interface: ResolvedInterface, network: ResolvedNetwork) -> [String] {
        let name = interface.name
        var link: [String] = []
        switch interface.kind {
        case .ethernet:
            // Members are enslaved by the bond's own stanza (`bond-slaves`): a member's
            // `bond-master` makes ifenslave look the bond up with ifquery in
            // /etc/network/interfaces, which fails for `ifup -i FILE`.
            // Wake-on-LAN is ethtool's ifupdown hook's option (magic packet `g`, off `d`).
            if let wake = interface.wakeOnLAN { link.append("ethernet-wol \(wake ? "g" : "d")") }
        case .infiniband:
            // No `hwaddress`: an IPoIB address is the driver's to set, and ifup would fail on it.
            break
        case .bond(let bond):
            link.append("bond-slaves \(network.members(of: name).joined(separator: " "))")
            link.append("bond-mode \(bond.mode)")
            if let miimon = bond.miimon { link.append("bond-miimon \(miimon)") }
            if let policy = bond.xmitHashPolicy { link.append("bond-xmit-hash-policy \(policy)") }
            if let rate = bond.lacpRate { link.append("bond-lacp-rate \(rate)") }
            for (key, value) in BondOptionSpelling.ifenslave.options(bond, primaryName: network.primaryName(of: bond)) {
                link.append("\(key) \(value)")
            }
            if let mac = interface.macAddress { link.append("hwaddress ether \(mac)") }
        case .vlan(let parent, _):
            link.append("vlan-raw-device \(parent)")
            if let mac = interface.macAddress { link.append("hwaddress ether \(mac)") }
        case .bridge(let bridge):
            // bridge-utils' ifupdown hook reads these; spanning tree off unless asked for.
            let ports = network.ports(of: name)
            link.append("bridge_ports \(ports.isEmpty ? "none" : ports.joined(separator: " "))")
            link.append("bridge_stp \((bridge.stp ?? false) ? "on" : "off")")
            if let delay = bridge.forwardDelay { link.append("bridge_fd \(delay)") }
            link += BridgeOptionSpelling.bridgeUtils.bridgeLines(bridge, separator: " ")
            for option in BridgeOption.allCases where option.isPerPort {
                let spelling = BridgeOptionSpelling.bridgeUtils.key(option)
                link += network.portValues(option, of: bridge, named: name).map { "\(spelling) \($0.0) \($0.1)" }
            }
            if let mac = interface.macAddress { link.append("hwaddress ether \(mac)") }
        }
        if let mtu = interface.mtu { link.append("mtu \(mtu)") }

        let ipv4 = interface.addresses.filter(\.address.isIPv4)
        let ipv6 = interface.addresses.filter { !$0.address.isIPv4 }
        var blocks: [[String]] = []
        // The first stanza carries the link options; ifupdown applies further stanzas for the
        // same interface in order, which is how it takes more than one address.
        let dns =
            interface.nameservers.isEmpty
            ? [] : ["dns-nameservers \(interface.nameservers.map(\.description).joined(separator: " "))"]
        let search =
            interface.searchDomains.isEmpty ? [] : ["dns-search \(interface.searchDomains.joined(separator: " "))"]
        if interface.dhcp4 {
            // ifupdown cannot tell dhclient to ignore the router option: a high metric keeps a
            // secondary ENI's default route behind the primary's.
            blocks.append(["iface \(name) inet dhcp"] + link + (interface.dhcpDefaultRoute ? [] : ["metric 10000"]))
        }
        for (index, address) in ipv4.enumerated() {
            var lines = ["iface \(name) inet static", "address \(address)"]
            if index == 0 { lines += routes(interface, ipv4: true) + dns + search }
            blocks.append(lines)
        }
        if interface.acceptRA || interface.dhcp6 {
            var lines = ["iface \(name) inet6 \(interface.dhcp6 && !interface.acceptRA ? "dhcp" : "auto")"]
            // ipv6_dhcpv6-stateless: SLAAC plus DHCPv6 for the rest.
            if interface.acceptRA && interface.dhcp6 { lines.append("dhcp 1") }
            // DHCPv6 with `accept-ra: false`: ifupdown's inet6 dhcp accepts them by default.
            if interface.routerAdvertisements == .refuse { lines.append("accept_ra 0") }
            blocks.append(lines)
        }
        for (index, address) in ipv6.enumerated() {
            var lines = ["iface \(name) inet6 static", "address \(address)"]
            if index == 0 {
                // ifupdown leaves accept_ra as the kernel has it on inet6 static: say no, as the
                // other renderers do (the routes come from the metadata).
                if interface.routerAdvertisements == .refuse { lines.append("accept_ra 0") }
                lines += routes(interface, ipv4: false) + (ipv4.isEmpty ? dns + search : [])
            }
            blocks.append(lines)
        }
        // ifupdown's inet6 `mtu` is the IPv6 MTU when the link's is already higher (its own
        // rule), so it goes on the first inet6 stanza after an inet one, which set the link's.
        if let mtu = interface.ipv6MTU, let first = blocks.firstIndex(where: { $0[0].contains(" inet6 ") }), first > 0 {
            blocks[first].append("mtu \(mtu)")
        }
        if blocks.isEmpty {
            blocks.append(["iface \(name) inet manual"] + link)
        } else if !interface.dhcp4 {
            blocks[0].insert(contentsOf: link, at: 1)
        }
        // No static address to carry them (DHCP or SLAAC only): the name servers go on the
        // first stanza, where resolvconf's ifupdown hook reads them whatever the method.
        if ipv4.isEmpty && ipv6.isEmpty && interface.hasL3 { blocks[0] += dns + search }
        let text = blocks.map { block in ([block[0]] + block.dropFirst().map { "    " + $0 }).joined(separator: "\n") }
        // No `auto` line: ifup -a leaves it down (v1 `control: manual`), `ifup NAME` brings it up.
        // A NIC is in the hotplug class too: at the first boot udev queued the image's hotplug
        // job (`ifup@NAME`, for its `allow-hotplug NAME`) before the local stage replaced that
        // stanza, and the job ends with `ifquery --state NAME`, which fails (the boot
        // degraded, booted for real on Debian 12) unless the NIC is in a class it brings up.
        var classes = interface.startsAtBoot ? "auto \(name)\n" : ""
        if interface.startsAtBoot && interface.isEthernet { classes += "allow-hotplug \(name)\n" }
        return [classes + text.joined(separator: "\n")]
    }

    /// `gateway` for the default route; other routes as `up`/`down` commands. The
    /// addresses in them are printed from parsed bytes, never copied from the metadata, so
    /// nothing but an address can reach ifupdown's shell.
    private static func routes(_ interface: ResolvedInterface, ipv4: Bool) -> [String] {
        var lines: [String] = []
        let family = ipv4 ? "" : "-6 "
        for route in interface.routes where route.gateway.isIPv4 == ipv4 {
            // ifupdown's `gateway` takes no metric of its own: a default route with one is a command.
            // Nor does it say "on the link": such a route is a command too.
            if route.destination.isDefault && !route.isOnLink && route.metric == nil {
                lines.append("gateway \(route.gateway)")
            } else {
                let metric = route.metric.map { " metric \($0)" } ?? ""
                let onLink = route.onLink ? " onlink" : ""
                let target = "\(route.destination) via \(route.gateway)\(metric) dev \(interface.name)\(onLink)"
                lines.append("up ip \(family)route replace \(target)")
                lines.append("down ip \(family)route del \(target) || true")
            }
        }
        return lines
    }
}
