import AgentBase

/// The bonding driver's options besides mode, MII monitor, hash policy and LACP rate, under
/// the names each input gives them: network config v1 (`bond-updelay`, with `_` or `-`, as
/// ifenslave spells them) and v2 (netplan's `up-delay`). cloud-init passes them all through
/// to its renderers (test_net.py's `bond` case); the kernel's bonding.rst says what each means.
enum BondOption: CaseIterable {
    case upDelay, downDelay, gratuitousARP, failOverMAC, primary, primaryReselect, adSelect, minLinks

    /// The v1 spelling after `NetworkConfigV1Parameters.normalizedBondKey` (`bond_updelay` -> `updelay`).
    var v1Key: String {
        switch self {
        case .upDelay: "updelay"
        case .downDelay: "downdelay"
        case .gratuitousARP: "num-grat-arp"
        case .failOverMAC: "fail-over-mac"
        case .primary: "primary"
        case .primaryReselect: "primary-reselect"
        case .adSelect: "ad-select"
        case .minLinks: "min-links"
        }
    }

    /// netplan's name in a v2 bond's `parameters`.
    var v2Key: String {
        switch self {
        case .upDelay: "up-delay"
        case .downDelay: "down-delay"
        case .gratuitousARP: "gratuitous-arp"
        case .failOverMAC: "fail-over-mac-policy"
        case .primary: "primary"
        case .primaryReselect: "primary-reselect-policy"
        case .adSelect: "ad-select"
        case .minLinks: "min-links"
        }
    }

    /// The kernel's names for the options that take one of a few words, in its numbering.
    var words: [String]? {
        switch self {
        case .failOverMAC: ["none", "active", "follow"]
        case .primaryReselect: ["always", "better", "failure"]
        case .adSelect: ["stable", "bandwidth", "count"]
        default: nil
        }
    }

    /// Reads `value` into `settings`; a bad value is an error naming `place`. A `primary`
    /// that is not one of the members is named in `skipped` and left out (test_net.py's v2
    /// `bond` names one that is not; cloud-init passes it on and the kernel refuses it).
    func read(_ value: YAMLValue?, place: ConfigPlace, into settings: inout BondSettings, draft: inout NetworkDraft)
        throws
    {
        switch self {
        case .upDelay: settings.upDelay = try Self.count(value, place: place, upTo: 3_600_000)
        case .downDelay: settings.downDelay = try Self.count(value, place: place, upTo: 3_600_000)
        case .gratuitousARP: settings.gratuitousARP = try Self.count(value, place: place, upTo: 255)
        case .minLinks: settings.minLinks = try Self.count(value, place: place, upTo: 65_535)
        case .failOverMAC: settings.failOverMAC = try word(value, place: place)
        case .primaryReselect: settings.primaryReselect = try word(value, place: place)
        case .adSelect: settings.adSelect = try word(value, place: place)
        case .primary:
            guard let member = try place.string(value) else { return }
            guard settings.members.contains(member) else {
                draft.skip(
                    place.subject,
                    "bond primary '\(NetworkText.preview(member))' is not one of its members, ignored")
                return
            }
            settings.primary = member
        }
    }

    /// A whole number from 0 to `limit`, plain or as text; milliseconds may end in `ms` (netplan).
    private static func count(_ value: YAMLValue?, place: ConfigPlace, upTo limit: Int) throws -> Int? {
        var value = value
        if case .string(let text)? = value, text.hasSuffix("ms") { value = .string(String(text.dropLast(2))) }
        guard let number = try place.int(value) else { return nil }
        guard (0...limit).contains(number) else { throw place.error("\(number) is not between 0 and \(limit)") }
        return number
    }

    /// One of `words`, or its number in the kernel's numbering.
    private func word(_ value: YAMLValue?, place: ConfigPlace) throws -> String? {
        let words = self.words ?? []
        let text: String
        switch value {
        case nil, .null?: return nil
        case .int(let number)?: text = String(number)
        case .string(let given)?: text = given.trimmingWhitespace().lowercased()
        case let other?:
            throw place.error("'\(NetworkText.preview(other.text))' is not one of \(words.joined(separator: ", "))")
        }
        if let number = Int(text), words.indices.contains(number) { return words[number] }
        guard words.contains(text) else {
            throw place.error("'\(NetworkText.preview(text))' is not one of \(words.joined(separator: ", "))")
        }
        return text
    }
}
