import AgentBase

/// The link of one ENI device, from the options of all its stanzas: what it is (NIC, bond,
/// VLAN, bridge), its MAC (`hwaddress`) and MTU.
enum ENILink {
    /// Options that describe the link (read here); every other option is the network's.
    static let linkOptions = Set([
        "hwaddress", "mtu", "vlan-raw-device", "bond-master", "bond-slaves", "bond-mode", "bond-miimon",
        "bond-xmit-hash-policy", "bond-lacp-rate", "bridge-ports", "bridge-stp", "bridge-fd",
    ]).union(BondOption.allCases.map { "bond-" + $0.v1Key })
        .union(BridgeOption.allCases.map { ENIStanza.canonical($0.v1Key) })

    static func link(_ device: String, stanzas: [ENIStanza], bondMembers: [String], draft: inout NetworkDraft) throws
        -> NetworkLink
    {
        let first = stanzas[0]
        func option(_ name: String) -> ENIStanza.Option? { stanzas.lazy.compactMap { $0.first(name) }.first }
        func place(_ option: ENIStanza.Option) -> ConfigPlace {
            ConfigPlace(first.subject, option.name + " (line \(option.line))")
        }
        func single(_ option: ENIStanza.Option) throws -> String {
            guard let value = option.values.first else { throw place(option).error("has no value") }
            return value
        }
        let mac = try option("hwaddress").map { option -> String in
            // `hwaddress ether MAC` or `hwaddress MAC`.
            let text = option.values.first == "ether" ? option.values.dropFirst().first : option.values.first
            guard let text, let mac = MACAddress.normalize(text) else {
                throw place(option).error(
                    "'\(NetworkText.preview(option.values.joined(separator: " ")))' is not a MAC address")
            }
            return mac
        }
        let mtu = try option("mtu").map { option -> Int in
            guard let value = Int(try single(option)) else { throw place(option).error("not a whole number") }
            return value
        }
        let kind: NetworkLink.Kind
        let slaves = option("bond-slaves").map { $0.values.filter { $0 != "none" } } ?? []
        let isBond =
            !slaves.isEmpty || !bondMembers.isEmpty
            || (option("bond-master") == nil && (option("bond-mode") != nil || option("bond-slaves") != nil))
        if isBond {
            var settings = BondSettings(
                members: slaves + bondMembers.filter { !slaves.contains($0) }, mode: "balance-rr")
            if let mode = option("bond-mode") { settings.mode = BondSettings.modeName(try single(mode)) }
            if let miimon = option("bond-miimon") {
                guard let value = Int(try single(miimon)) else { throw place(miimon).error("not a whole number") }
                settings.miimon = value
            }
            if let policy = option("bond-xmit-hash-policy") { settings.xmitHashPolicy = try single(policy) }
            if let rate = option("bond-lacp-rate") {
                settings.lacpRate = try NetworkConfigV1Parameters.lacpRate(
                    .string(try single(rate)), place: place(rate))
            }
            for bondOption in BondOption.allCases {
                guard let given = option("bond-" + bondOption.v1Key) else { continue }
                try bondOption.read(.string(try single(given)), place: place(given), into: &settings, draft: &draft)
            }
            kind = .bond(settings)
        } else if let ports = option("bridge-ports") {
            var settings = BridgeSettings(members: ports.values.filter { $0 != "none" })
            if let stp = option("bridge-stp") { settings.stp = try place(stp).bool(.string(try single(stp))) }
            if let delay = option("bridge-fd") {
                // bridge-utils takes fractions of a second; the model keeps whole seconds.
                guard let value = Int(try single(delay)) else {
                    throw place(delay).error("not a whole number of seconds")
                }
                settings.forwardDelay = value
            }
            for bridgeOption in BridgeOption.allCases {
                let given = stanzas.flatMap { $0.options(bridgeOption.v1Key) }
                for line in given {
                    if bridgeOption.isPerPort {
                        try bridgeOption.read(pairs: line.values, place: place(line), into: &settings, draft: &draft)
                    } else {
                        try bridgeOption.read(.string(try single(line)), place: place(line), into: &settings)
                    }
                }
            }
            kind = .bridge(draft.bridge(settings, subject: first.subject))
        } else if let vlan = try vlanSettings(device, raw: option("vlan-raw-device"), place: place) {
            kind = .vlan(vlan)
        } else {
            kind = .physical
        }
        for stanza in stanzas {
            for option in stanza.options {
                let name = ENIStanza.canonical(option.name)
                if (name.hasPrefix("bond-") || name.hasPrefix("bridge-")) && !linkOptions.contains(name) {
                    draft.skip(stanza.subject, "option '\(NetworkText.preview(option.name))' is not supported, ignored")
                }
            }
        }
        return NetworkLink(id: device, kind: kind, macAddress: mac, name: device, mtu: mtu)
    }

    /// `vlan-raw-device` with the id from the name (`vlan100`, `eth0.100`), or a `NAME.ID`
    /// name alone, as the vlan package reads them.
    private static func vlanSettings(
        _ device: String, raw: ENIStanza.Option?, place: (ENIStanza.Option) -> ConfigPlace
    ) throws -> VLANSettings? {
        let dotted = device.split(separator: ".", omittingEmptySubsequences: false)
        let dottedID = dotted.count == 2 && !dotted[0].isEmpty ? Int(dotted[1]) : nil
        if let raw {
            guard let parent = raw.values.first else { throw place(raw).error("has no value") }
            let digits = device.hasPrefix("vlan") ? Int(device.dropFirst(4)) : nil
            guard let id = dottedID ?? digits else {
                throw place(raw).error(
                    "the VLAN id cannot be read from the name '\(NetworkText.preview(device))' (vlanID or NAME.ID)")
            }
            return VLANSettings(parent: parent, vlanID: id)
        }
        guard let id = dottedID else { return nil }
        return VLANSettings(parent: String(dotted[0]), vlanID: id)
    }
}
