import DataSources

/// The links of one `NetworkResolver.resolve` call as they get guest names, in dependency
/// order: NICs, then bonds (their members are NICs), then VLANs and bridges, which may stack
/// on each other (a bridge over a VLAN, a VLAN on a bridge).
struct Resolution {
    let nics: GuestNICs
    var names: [String: String] = [:]  // link id -> guest name
    var interfaces: [ResolvedInterface] = []
    var warnings: [String] = []
    /// The next number to try for a generated name, per prefix (`bond`, `br`).
    private var nextNumber: [String: Int] = [:]

    init(nics: GuestNICs) {
        self.nics = nics
    }

    private var taken: Set<String> { Set(names.values) }

    /// An IPoIB interface: by its name only (see `NetworkLink.Kind.infiniband`).
    mutating func addInfiniBand(_ link: NetworkLink) {
        guard let name = link.name, nics.infiniBand.contains(name) else {
            warnings.append(
                "link '\(NetworkText.preview(link.id))': no InfiniBand interface is named '\(NetworkText.preview(link.name ?? ""))', left out"
            )
            return
        }
        guard claim(name, for: link) else { return }
        interfaces.append(
            ResolvedInterface(name: name, linkID: link.id, kind: .infiniband, macAddress: nil, mtu: link.mtu))
    }

    /// A NIC: by MAC when the link has one (the guest's kernel name is kept), else by name.
    mutating func addNIC(_ link: NetworkLink) {
        let name: String
        if let mac = link.macAddress {
            guard let found = nics.byMAC[mac] else {
                warnings.append(
                    "link '\(NetworkText.preview(link.id))': no guest interface has the MAC \(mac), left out")
                return
            }
            name = found
        } else if let wanted = link.name {
            guard nics.names.contains(wanted) else {
                warnings.append(
                    "link '\(NetworkText.preview(link.id))': no guest interface is named '\(wanted)', left out")
                return
            }
            name = wanted
        } else {
            warnings.append("link '\(NetworkText.preview(link.id))': neither a MAC nor a name to find it by, left out")
            return
        }
        if let wanted = link.driver, let actual = nics.drivers[name], actual != wanted {
            warnings.append(
                "link '\(NetworkText.preview(link.id))': guest interface '\(name)' has the driver '\(actual)', not '\(NetworkText.preview(wanted))', left out"
            )
            return
        }
        let newName = self.newName(for: link, kernelName: name)
        guard claim(newName ?? name, for: link) else { return }
        var interface = ResolvedInterface(
            name: newName ?? name, linkID: link.id, kind: .ethernet, macAddress: link.macAddress, mtu: link.mtu)
        interface.kernelName = newName == nil ? nil : name
        interface.guestMAC = link.macAddress ?? nics.byMAC.first { $0.value == name }?.key
        interface.wakeOnLAN = link.wakeOnLAN
        interfaces.append(interface)
    }

    /// The name a NIC is renamed to, or nil to keep `kernelName`: the source's `newName`
    /// when it differs, unless another interface of the guest has that name now (the kernel
    /// would refuse the rename, and files under that name would configure the other NIC),
    /// which is warned about.
    private mutating func newName(for link: NetworkLink, kernelName: String) -> String? {
        guard let wanted = link.newName, wanted != kernelName else { return nil }
        guard !nics.names.contains(wanted), !nics.infiniBand.contains(wanted) else {
            warnings.append(
                "link '\(NetworkText.preview(link.id))': guest interface '\(kernelName)' keeps its name: '\(wanted)' is another interface's"
            )
            return nil
        }
        return wanted
    }

    mutating func addBond(_ link: NetworkLink, _ settings: BondSettings) {
        var bond = settings
        let members = bond.members.compactMap { names[$0] }
        guard !members.isEmpty else {
            warnings.append("link '\(NetworkText.preview(link.id))': none of its members is on this guest, left out")
            return
        }
        let name = link.name ?? freeName(prefix: "bond")
        guard claim(name, for: link) else { return }
        for index in interfaces.indices where members.contains(interfaces[index].name) {
            interfaces[index].bondMaster = name
        }
        bond.members = members
        interfaces.append(
            ResolvedInterface(
                name: name, linkID: link.id, kind: .bond(bond), macAddress: link.macAddress, mtu: link.mtu))
    }

    /// VLANs and bridges, in metadata order, each once what it stands on has its name; what
    /// stands on a link that is not on this guest, or on itself through a loop, is left out.
    mutating func addVLANsAndBridges(_ links: [NetworkLink]) {
        var pending = links.filter { link in
            switch link.kind {
            case .vlan, .bridge: true
            case .physical, .infiniband, .bond: false
            }
        }
        var progress = true
        while progress && !pending.isEmpty {
            progress = false
            for link in pending {
                let waitsFor = dependencies(of: link).filter { id in pending.contains { $0.id == id } }
                guard waitsFor.isEmpty else { continue }
                pending.removeAll { $0.id == link.id }
                progress = true
                switch link.kind {
                case .vlan(let vlan): addVLAN(link, vlan)
                case .bridge(let bridge): addBridge(link, bridge)
                case .physical, .infiniband, .bond: break
                }
            }
        }
        for link in pending {
            warnings.append(
                "link '\(NetworkText.preview(link.id))': it depends on itself through its ports or parent, left out")
        }
    }

    private func dependencies(of link: NetworkLink) -> [String] {
        switch link.kind {
        case .vlan(let vlan): [vlan.parent]
        case .bridge(let bridge): bridge.members
        case .physical, .infiniband, .bond: []
        }
    }

    private mutating func addVLAN(_ link: NetworkLink, _ vlan: VLANSettings) {
        guard let parent = names[vlan.parent] else {
            warnings.append(
                "link '\(NetworkText.preview(link.id))': its parent '\(NetworkText.preview(vlan.parent))' is not on this guest, left out"
            )
            return
        }
        var name = link.name ?? "\(parent).\(vlan.vlanID)"
        if link.name == nil {
            if name.utf8.count > 15 { name = "vlan\(vlan.vlanID)" }
            var suffix = 1
            while taken.contains(name) {
                name = "vlan\(vlan.vlanID)-\(suffix)"
                suffix += 1
            }
        }
        guard claim(name, for: link) else { return }
        interfaces.append(
            ResolvedInterface(
                name: name, linkID: link.id, kind: .vlan(parent: parent, id: vlan.vlanID), macAddress: link.macAddress,
                mtu: link.mtu))
    }

    private mutating func addBridge(_ link: NetworkLink, _ settings: BridgeSettings) {
        var bridge = settings
        let ports = bridge.members.compactMap { names[$0] }
        if !bridge.members.isEmpty && ports.isEmpty {
            warnings.append("link '\(NetworkText.preview(link.id))': none of its ports is on this guest, left out")
            return
        }
        for missing in bridge.members where names[missing] == nil {
            warnings.append(
                "link '\(NetworkText.preview(link.id))': port '\(NetworkText.preview(missing))' is not on this guest, left out of the bridge"
            )
        }
        let name = link.name ?? freeName(prefix: "br")
        guard claim(name, for: link) else { return }
        for index in interfaces.indices where ports.contains(interfaces[index].name) {
            interfaces[index].bridgeMaster = name
        }
        bridge.members = ports
        interfaces.append(
            ResolvedInterface(
                name: name, linkID: link.id, kind: .bridge(bridge), macAddress: link.macAddress, mtu: link.mtu))
    }

    /// The first `PREFIXn` (n counting up from the last one given) that no guest NIC and no
    /// resolved link has.
    mutating func freeName(prefix: String) -> String {
        var number = nextNumber[prefix, default: 0]
        while nics.byMAC.values.contains("\(prefix)\(number)") || taken.contains("\(prefix)\(number)") {
            number += 1
        }
        nextNumber[prefix] = number + 1
        return "\(prefix)\(number)"
    }

    /// Records `name` for `link`; false (with a warning) when another link already has it.
    private mutating func claim(_ name: String, for link: NetworkLink) -> Bool {
        if let other = names.first(where: { $0.value == name })?.key {
            warnings.append(
                "link '\(NetworkText.preview(link.id))': the interface name '\(name)' is already link '\(NetworkText.preview(other))''s, left out"
            )
            return false
        }
        names[link.id] = name
        return true
    }
}
