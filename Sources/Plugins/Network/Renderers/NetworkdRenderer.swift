import DataSources

/// systemd-networkd files in `/etc/systemd/network`: a `.link` per NIC matched by MAC (MAC ->
/// name; a NIC the source named without a MAC needs none), a `.netdev` per bond, VLAN and
/// bridge, a `.network` per interface. Named `10-guest-agent-*` so
/// they sort before the usual catch-all files (networkd uses the first `.network` that
/// matches). Pure: no I/O.
public enum NetworkdRenderer {
    public static let directory = "/etc/systemd/network"
    public static let prefix = "10-guest-agent-"

    public static func render(_ network: ResolvedNetwork) -> [RenderedFile] {
        var files: [RenderedFile] = []
        for interface in network.interfaces {
            let base = directory + "/" + prefix + interface.name
            switch interface.kind {
            case .ethernet:
                // A .link names a NIC matched by MAC; one named by the source gets a .link only
                // to be renamed or for wake-on-LAN (a .link setting), matched by the MAC it has.
                var link = ["Name=\(interface.name)"]
                if let wake = interface.wakeOnLAN { link.append("WakeOnLan=\(wake ? "magic" : "off")") }
                let byItsMAC = interface.wakeOnLAN != nil || interface.kernelName != nil
                if let mac = interface.macAddress ?? (byItsMAC ? interface.guestMAC : nil) {
                    files.append(file(base + ".link", [("Match", ["MACAddress=\(mac)"]), ("Link", link)]))
                }
            case .infiniband:
                break  // no .link: nothing to rename, matched by name in the .network
            case .bond(let bond):
                var options = ["Mode=\(bond.mode)"]
                if let policy = bond.xmitHashPolicy { options.append("TransmitHashPolicy=\(policy)") }
                if let miimon = bond.miimon { options.append("MIIMonitorSec=\(miimon)ms") }
                if let rate = bond.lacpRate { options.append("LACPTransmitRate=\(rate)") }
                options += BondOptionSpelling.networkd.options(bond, primaryName: nil).map { "\($0.0)=\($0.1)" }
                files.append(file(base + ".netdev", [("NetDev", netdev(interface, kind: "bond")), ("Bond", options)]))
            case .vlan(_, let id):
                files.append(
                    file(base + ".netdev", [("NetDev", netdev(interface, kind: "vlan")), ("VLAN", ["Id=\(id)"])]))
            case .bridge(let bridge):
                // STP off unless asked for, as in every renderer (networkd's default too).
                var options = ["STP=\((bridge.stp ?? false) ? "yes" : "no")"]
                if let delay = bridge.forwardDelay { options.append("ForwardDelaySec=\(delay)") }
                options += BridgeOptionSpelling.networkd.bridgeLines(bridge)
                files.append(
                    file(base + ".netdev", [("NetDev", netdev(interface, kind: "bridge")), ("Bridge", options)]))
            }
            files.append(file(base + ".network", networkSections(interface, network: network)))
        }
        return files
    }

    private static func netdev(_ interface: ResolvedInterface, kind: String) -> [String] {
        var lines = ["Name=\(interface.name)", "Kind=\(kind)"]
        if let mtu = interface.mtu { lines.append("MTUBytes=\(mtu)") }
        if let mac = interface.macAddress { lines.append("MACAddress=\(mac)") }
        return lines
    }

    private static func networkSections(_ interface: ResolvedInterface, network: ResolvedNetwork) -> [(
        String, [String]
    )] {
        // Bond members take the bond's MAC, so NICs are matched by name: the .link file and
        // the MAC match at discovery keep that name stable.
        var sections: [(String, [String])] = [("Match", ["Name=\(interface.name)"])]
        var link = interface.mtu.map { ["MTUBytes=\($0)"] } ?? []
        if !interface.startsAtBoot { link.append("ActivationPolicy=manual") }
        if !link.isEmpty { sections.append(("Link", link)) }
        var settings: [String] = []
        if interface.isPort {
            if let master = interface.bondMaster {
                settings.append("Bond=\(master)")
                if case .bond(let bond)? = network.interface(master)?.kind,
                    network.primaryName(of: bond) == interface.name
                {
                    settings.append("PrimarySlave=yes")
                }
            }
            if let master = interface.bridgeMaster { settings.append("Bridge=\(master)") }
            settings += network.vlans(on: interface.name).map { "VLAN=\($0)" }
            sections.append(("Network", settings))
            // A port's path cost and priority are the port's own settings in networkd.
            if let bridge = network.bridgeSettings(over: interface) {
                let port = BridgeOptionSpelling.networkd.portLines(bridge, port: interface.linkID)
                if !port.isEmpty { sections.append(("Bridge", port)) }
            }
            return sections
        }
        let dhcp =
            switch (interface.dhcp4, interface.dhcp6) {
            case (true, true): "yes"
            case (true, false): "ipv4"
            case (false, true): "ipv6"
            case (false, false): "no"
            }
        settings.append("DHCP=\(dhcp)")
        if let mtu = interface.ipv6MTU { settings.append("IPv6MTUBytes=\(mtu)") }
        switch interface.routerAdvertisements {
        case .accept: settings.append("IPv6AcceptRA=yes")
        case .refuse: settings.append("IPv6AcceptRA=no")
        case .unspecified: break
        }
        settings += interface.addresses.map { "Address=\($0)" }
        settings += interface.nameservers.map { "DNS=\($0)" }
        if !interface.searchDomains.isEmpty {
            settings.append("Domains=\(interface.searchDomains.joined(separator: " "))")
        }
        settings += network.vlans(on: interface.name).map { "VLAN=\($0)" }
        sections.append(("Network", settings))
        if interface.dhcp4 && !interface.dhcpDefaultRoute { sections.append(("DHCPv4", ["UseGateway=no"])) }
        for route in interface.routes {
            var lines = ["Destination=\(route.destination)", "Gateway=\(route.gateway)"]
            if route.isOnLink { lines.append("GatewayOnLink=yes") }
            if let metric = route.metric { lines.append("Metric=\(metric)") }
            sections.append(("Route", lines))
        }
        return sections
    }

    private static func file(_ path: String, _ sections: [(String, [String])]) -> RenderedFile {
        let body = sections.map { name, lines in "[\(name)]\n" + lines.map { $0 + "\n" }.joined() }.joined(
            separator: "\n")
        return RenderedFile(path: path, text: RenderedFile.header + body)
    }
}
