import DataSources

/// The bonding options beyond mode, MII monitor, hash policy and LACP rate, as each backend
/// spells them: ifenslave's `bond-*` (ENI), netplan's `parameters`, networkd's `[Bond]` and
/// NetworkManager's `[bond]`. One table, so the four renderers cannot drift apart.
enum BondOptionSpelling {
    case ifenslave, netplan, networkd, networkManager

    /// (key, value) for each option the bond has, in a fixed order. `primaryName` is the
    /// guest name of the primary member; networkd says it on the member (`PrimarySlave=`),
    /// so it has no key here.
    func options(_ bond: BondSettings, primaryName: String?) -> [(String, String)] {
        let milliseconds: (Int) -> String = { self == .networkd ? "\($0)ms" : "\($0)" }
        let entries: [(keys: [String?], value: String?)] = [
            (["bond-updelay", "up-delay", "UpDelaySec", "updelay"], bond.upDelay.map(milliseconds)),
            (["bond-downdelay", "down-delay", "DownDelaySec", "downdelay"], bond.downDelay.map(milliseconds)),
            (
                ["bond-num-grat-arp", "gratuitous-arp", "GratuitousARP", "num_grat_arp"],
                bond.gratuitousARP.map(String.init)
            ),
            (["bond-fail-over-mac", "fail-over-mac-policy", "FailOverMACPolicy", "fail_over_mac"], bond.failOverMAC),
            (["bond-primary", "primary", nil, "primary"], primaryName),
            (
                ["bond-primary-reselect", "primary-reselect-policy", "PrimaryReselectPolicy", "primary_reselect"],
                bond.primaryReselect
            ),
            (["bond-ad-select", "ad-select", "AdSelect", "ad_select"], bond.adSelect),
            (["bond-min-links", "min-links", "MinLinks", "min_links"], bond.minLinks.map(String.init)),
        ]
        let column =
            switch self {
            case .ifenslave: 0
            case .netplan: 1
            case .networkd: 2
            case .networkManager: 3
            }
        return entries.compactMap { entry in
            guard let key = entry.keys[column], let value = entry.value else { return nil }
            return (key, value)
        }
    }
}

extension ResolvedNetwork {
    /// The guest name of the bond's primary member, if it has one on this guest.
    func primaryName(of bond: BondSettings) -> String? {
        guard let primary = bond.primary else { return nil }
        return interfaces.first { $0.linkID == primary }?.name
    }
}
