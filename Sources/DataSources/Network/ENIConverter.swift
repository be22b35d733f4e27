import AgentBase

/// ifupdown `interfaces(5)` text (docs/PROTOCOLS.md §6.3) into the model: what Proxmox's
/// `configdrive2` drive carries and NoCloud's `network-interfaces`. Each device (`eth0`, and
/// its aliases `eth0:1`) is one link, named by its stanzas (matched by name, or by
/// `hwaddress` when a NIC stanza has one); each `iface` stanza is one of its networks.
///
/// A device is a bond when it has `bond-slaves` (or a bond mode and no `bond-master`, or
/// others name it as their `bond-master`), a bridge with `bridge_ports`, a VLAN with
/// `vlan-raw-device` or a `NAME.ID` name, else a NIC. `iface lo`'s `dns-*` options are the
/// global name servers (resolvconf applies them so; Proxmox writes them there). Commands
/// (`up`, `post-up`...) are never run and other options the model has no room for are
/// listed in `skipped`.
enum ENIConverter {
    /// nil when nothing but the loopback is configured.
    static func convert(_ text: String) throws -> NetworkConfiguration? {
        let document = try ENIParser.parse(text)
        var draft = NetworkDraft()
        draft.skipped = document.notes
        var devices: [String] = []
        var stanzas: [String: [ENIStanza]] = [:]
        for stanza in document.stanzas {
            if stanza.device == "lo" || stanza.method == "loopback" {
                try loopback(stanza, into: &draft)
                continue
            }
            if stanzas[stanza.device] == nil { devices.append(stanza.device) }
            stanzas[stanza.device, default: []].append(stanza)
        }
        try draft.checkLinkCount(devices.count, subject: "ENI")
        let masters = bondMasters(devices.flatMap { stanzas[$0]! })
        for device in devices {
            let own = stanzas[device]!
            draft.links.append(
                try ENILink.link(device, stanzas: own, bondMembers: masters[device] ?? [], draft: &draft))
            for stanza in own {
                if let network = try ENINetwork.network(stanza, linkID: device, draft: &draft) {
                    draft.networks.append(network)
                }
            }
        }
        addImplicitNICs(to: &draft)
        guard !draft.isEmpty else { return nil }
        return draft.configuration
    }

    /// A bond member, bridge port or VLAN parent with no stanza of its own (Debian's usual
    /// `bridge_ports eth0` without `iface eth0`) is a NIC ifupdown brings up by name: it is
    /// added as one, with no network. A name that is not an interface name stays missing,
    /// for the validator to refuse.
    private static func addImplicitNICs(to draft: inout NetworkDraft) {
        var known = Set(draft.links.map(\.id))
        for link in draft.links {
            let referenced: [String]
            switch link.kind {
            case .bond(let bond): referenced = bond.members
            case .bridge(let bridge): referenced = bridge.members
            case .vlan(let vlan): referenced = [vlan.parent]
            case .physical, .infiniband: referenced = []
            }
            for name in referenced where !known.contains(name) && InterfaceName.isValid(name) && name != "lo" {
                draft.links.append(NetworkLink(id: name, kind: .physical, macAddress: nil, name: name))
                known.insert(name)
            }
        }
    }

    /// Bond name -> the devices that name it with `bond-master`, in order.
    private static func bondMasters(_ stanzas: [ENIStanza]) -> [String: [String]] {
        var members: [String: [String]] = [:]
        for stanza in stanzas {
            guard let master = stanza.first("bond-master")?.values.first else { continue }
            if !(members[master] ?? []).contains(stanza.device) { members[master, default: []].append(stanza.device) }
        }
        return members
    }

    /// `iface lo`: its `dns-*` options are the global name servers; nothing else is configured.
    private static func loopback(_ stanza: ENIStanza, into draft: inout NetworkDraft) throws {
        let (servers, search) = try ENINetwork.dns(stanza)
        draft.addGlobalDNS(servers, search: search)
        for option in stanza.options
        where !["dns-nameservers", "dns-search"].contains(ENIStanza.canonical(option.name)) {
            draft.skip(
                stanza.subject, "option '\(NetworkText.preview(option.name))' on the loopback is not supported, ignored"
            )
        }
    }
}
