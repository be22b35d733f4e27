import AgentBase

/// The `params` of network config v1 bonds and bridges: the modelled ones read and checked,
/// the others listed in `skipped` by name.
enum NetworkConfigV1Parameters {
    /// Bond parameters in any of the spellings cloud-init takes (`bond-mode`, `bond_mode`,
    /// `mode`). Without a mode the bond is `balance-rr`, the kernel's default.
    static func bond(
        _ params: [String: YAMLValue], members: [String], place: ConfigPlace, into draft: inout NetworkDraft
    ) throws -> BondSettings {
        var settings = BondSettings(members: members, mode: "balance-rr")
        for key in params.keys.sorted() {
            let value = params[key]
            let field = place.appending("params").appending(key)
            switch normalizedBondKey(key) {
            case "mode": settings.mode = try bondMode(value, place: field)
            case "miimon": settings.miimon = try field.int(value)
            case "xmit-hash-policy": settings.xmitHashPolicy = try field.string(value)
            case "lacp-rate": settings.lacpRate = try lacpRate(value, place: field)
            case "slaves" where value == .string("none"): break  // ifupdown's "members say bond-master"
            case let name:
                guard let option = BondOption.allCases.first(where: { $0.v1Key == name }) else {
                    draft.skip(place.subject, "bond parameter '\(NetworkText.preview(key))' is not supported, ignored")
                    continue
                }
                try option.read(value, place: field, into: &settings, draft: &draft)
            }
        }
        return settings
    }

    /// `bond-xmit_hash_policy` -> `xmit-hash-policy`.
    static func normalizedBondKey(_ key: String) -> String {
        var name = key.replacing("_", with: "-")
        if name.hasPrefix("bond-") { name.removeFirst("bond-".count) }
        return name
    }

    /// A mode name, or the kernel's number as a number or text (`4`, `"4"` -> `802.3ad`).
    static func bondMode(_ value: YAMLValue?, place: ConfigPlace) throws -> String {
        switch value {
        case .int(let number)?: return BondSettings.modeName(String(number))
        case .string(let text)?: return BondSettings.modeName(text)
        default: throw place.error("not a bonding mode name or number")
        }
    }

    static func lacpRate(_ value: YAMLValue?, place: ConfigPlace) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string("fast")?, .string("1")?, .int(1)?: return "fast"
        case .string("slow")?, .string("0")?, .int(0)?: return "slow"
        case let other?: throw place.error("'\(NetworkText.preview(other.text))' is not fast, slow, 1 or 0")
        }
    }

    /// Bridge parameters (`bridge_stp`, `bridge_fd`, `bridge_hw` and the `BridgeOption`s; the
    /// rest, ifupdown's own timing such as `bridge_maxwait`, skipped, named).
    static func bridge(
        _ params: [String: YAMLValue], ports: [String], place: ConfigPlace, into draft: inout NetworkDraft
    ) throws -> (settings: BridgeSettings, mac: String?) {
        var settings = BridgeSettings(members: ports)
        var mac: String?
        for key in params.keys.sorted() {
            let value = params[key]
            let field = place.appending("params").appending(key)
            switch key.replacing("-", with: "_") {
            case "bridge_stp": settings.stp = try field.bool(value)
            case "bridge_fd": settings.forwardDelay = try field.int(value)
            case "bridge_hw": mac = try field.mac(value)
            case let name:
                if let option = BridgeOption.allCases.first(where: { $0.v1Key == name }) {
                    if option.isPerPort {
                        // cloud-init's network_state takes a list of "PORT VALUE" strings.
                        let words = try field.list(value).flatMap { item in
                            (try field.string(item) ?? "").split(separator: " ").map(String.init)
                        }
                        try option.read(pairs: words, place: field, into: &settings, draft: &draft)
                    } else {
                        try option.read(value, place: field, into: &settings)
                    }
                    continue
                }
                draft.skip(place.subject, "bridge parameter '\(NetworkText.preview(key))' is not supported, ignored")
            }
        }
        return (draft.bridge(settings, subject: place.subject), mac)
    }
}
