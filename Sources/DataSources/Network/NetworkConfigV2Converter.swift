import AgentBase

/// cloud-init network config version 2 (netplan's shape; docs/PROTOCOLS.md §6.2):
/// `ethernets`, `bonds`, `bridges` and `vlans`, each a mapping of ids to devices. Link ids
/// are the v2 ids, which bonds, bridges and VLANs refer to; devices of each group are taken
/// in id order (a mapping has none of its own).
///
/// An ethernet is matched by `match: macaddress` (the NIC keeps its kernel name), else by
/// `match: name`, else by its id; `match: driver` beside one of those is checked against the
/// NIC's driver. Name globs and a driver alone cannot name one NIC and are refused; settings
/// the model has no room for are listed in `skipped`.
enum NetworkConfigV2Converter {
    static let groups = ["ethernets", "bonds", "bridges", "vlans"]
    private static let deviceKeys: Set<String> = [
        "match", "set-name", "interfaces", "parameters", "id", "link", "mtu", "macaddress", "wakeonlan", "ipv6-mtu",
    ]

    /// nil when no group has a device.
    static func convert(_ body: [String: YAMLValue]) throws -> NetworkConfiguration? {
        let subject = NetworkConfigV1Converter.subject
        var draft = NetworkDraft()
        for key in body.keys.sorted() where key != "version" && !groups.contains(key) {
            draft.skip(subject, "key '\(NetworkText.preview(key))' is not supported, ignored")
        }
        var total = 0
        for group in groups {
            let devices = try ConfigPlace(subject, group).map(body[group])
            total += devices.count
            try draft.checkLinkCount(total, subject: subject)
            for id in devices.keys.sorted() {
                let place = ConfigPlace("\(subject) \(group) '\(NetworkText.preview(id))'", "")
                let entry = try place.map(devices[id])
                try device(entry, id: id, group: group, place: place, into: &draft)
            }
        }
        guard !draft.isEmpty else { return nil }
        return draft.configuration
    }

    private static func device(
        _ entry: [String: YAMLValue], id: String, group: String, place: ConfigPlace, into draft: inout NetworkDraft
    ) throws {
        var mac = try place.appending("macaddress").mac(entry["macaddress"])
        var name: String? = id
        var driver: String?
        let kind: NetworkLink.Kind
        switch group {
        case "ethernets":
            let match = try ethernetMatch(entry, id: id, place: place)
            if mac != nil {
                draft.skip(place.subject, "macaddress (setting a NIC's MAC) is not supported, ignored")
            }
            mac = match.mac
            name = match.name
            driver = match.driver
            kind = .physical
        case "bonds":
            let members = try place.appending("interfaces").words(entry["interfaces"])
            kind = .bond(try NetworkConfigV2Parameters.bond(entry, members: members, place: place, into: &draft))
        case "bridges":
            let ports = try place.appending("interfaces").words(entry["interfaces"])
            kind = .bridge(try NetworkConfigV2Parameters.bridge(entry, ports: ports, place: place, into: &draft))
        default:
            guard let parent = try place.appending("link").string(entry["link"]) else {
                throw place.appending("link").error("missing")
            }
            guard let vlanID = try place.appending("id").int(entry["id"]) else {
                throw place.appending("id").error("missing")
            }
            kind = .vlan(VLANSettings(parent: parent, vlanID: vlanID))
        }
        let mtu = try place.appending("mtu").int(entry["mtu"])
        var link = NetworkLink(id: id, kind: kind, macAddress: mac, name: name, mtu: mtu)
        if group == "ethernets" { link.newName = try place.appending("set-name").string(entry["set-name"]) }
        link.acceptRA = try place.appending("accept-ra").bool(entry["accept-ra"])
        link.driver = driver
        link.ipv6MTU = try place.appending("ipv6-mtu").int(entry["ipv6-mtu"])
        link.wakeOnLAN = try NetworkConfigV1Converter.wakeOnLAN(entry, kind: kind, place: place, into: &draft)
        draft.links.append(link)
        for key in entry.keys.sorted() where !deviceKeys.contains(key) && !NetworkConfigV2Addressing.keys.contains(key)
        {
            draft.skip(place.subject, "key '\(NetworkText.preview(key))' is not supported, ignored")
        }
        try NetworkConfigV2Addressing.convert(entry, linkID: id, place: place, into: &draft)
    }

    /// `match: {macaddress, name, driver}` and `set-name`: the MAC to find the NIC by, the
    /// name (the match's, else `set-name` when matched by MAC, else the id), and the driver
    /// the NIC must have.
    private static func ethernetMatch(_ entry: [String: YAMLValue], id: String, place: ConfigPlace) throws -> (
        mac: String?, name: String?, driver: String?
    ) {
        guard entry["match"] != nil else { return (nil, id, nil) }
        let matchPlace = place.appending("match")
        let match = try matchPlace.map(entry["match"])
        for key in match.keys.sorted() where !["macaddress", "name", "driver"].contains(key) {
            throw matchPlace.appending(key).error(
                "matching by \(NetworkText.preview(key)) is not supported (only macaddress, name and driver)")
        }
        let driver = try matchPlace.appending("driver").string(match["driver"])
        if let driver, driver.isEmpty || driver.contains(where: { "*?[]/".contains($0) }) {
            throw matchPlace.appending("driver").error(
                "'\(NetworkText.preview(driver))' is not one driver's name; only an exact name can be matched")
        }
        let mac = try matchPlace.appending("macaddress").mac(match["macaddress"])
        var name = try matchPlace.appending("name").string(match["name"])
        if let pattern = name, pattern.contains(where: { "*?[]".contains($0) }) {
            throw matchPlace.appending("name").error(
                "'\(NetworkText.preview(pattern))' is a pattern; only one NIC's exact name can be matched")
        }
        if name == nil { name = try place.appending("set-name").string(entry["set-name"]) }
        guard mac != nil || name != nil else {
            if driver != nil {
                throw matchPlace.appending("driver").error(
                    "a driver alone can match several NICs or none; give macaddress or name beside it")
            }
            throw matchPlace.error("needs macaddress or name")
        }
        return (mac, name, driver)
    }
}
