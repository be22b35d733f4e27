import AgentBase
import FoundationEssentials

/// Converts OpenStack `network_data.json` (PROTOCOLS.md 1.5) into a `NetworkConfiguration`.
///
/// Structural problems (a link that is not an object, a malformed address or netmask) throw
/// `NetworkConfigError` naming the link or network id and the field. Unknown link or
/// network types are reported in `skipped` by id and left out, with what depends on them,
/// and never stop the rest.
public enum OpenStackNetworkConverter {
    /// Link types that are a NIC the guest sees. nova emits the VIF type (`bridge`, `dvs`,
    /// `hw_veb`, `hyperv`, `ovs`, `tap`, `vhostuser`, `vif`) or `phy`; cloud-init also
    /// accepts `ethernet`, `bgpovs` and `cascading`.
    static let physicalTypes: Set<String> = [
        "phy", "ethernet", "bridge", "dvs", "hw_veb", "hyperv", "ovs", "tap", "vhostuser", "vif", "bgpovs", "cascading",
        "macvtap",
    ]

    /// Parses and validates; a problem becomes `.invalid` (see `NetworkDescription`).
    public static func describe(_ data: Data) -> NetworkDescription {
        NetworkDescription.make { try convert(data) }
    }

    /// Parses without validating (the validator runs on the result in `describe`).
    public static func convert(_ data: Data) throws -> NetworkConfiguration {
        guard let object = try? JSONValue.parse(data), let document = object.objectValue else {
            throw NetworkConfigError("network_data.json", field: "", "not a JSON object")
        }
        var skipped: [String] = []
        var links: [NetworkLink] = []
        let rawLinks = try list(document["links"], subject: "network_data.json", field: "links")
        guard rawLinks.count <= NetworkValidator.maximumLinks else {
            throw NetworkConfigError(
                "network_data.json", field: "links",
                "\(rawLinks.count) links; at most \(NetworkValidator.maximumLinks) are accepted")
        }
        for (index, raw) in rawLinks.enumerated() {
            if let link = try convertLink(raw, index: index, skipped: &skipped) { links.append(link) }
        }
        // A bond or VLAN whose member or parent was skipped for its type goes too (reported).
        let documentIDs = Set(rawLinks.compactMap { $0.objectValue?["id"]?.stringValue })
        links = dropOrphans(links, skippedIDs: documentIDs.subtracting(links.map(\.id)), skipped: &skipped)
        let linkIDs = Set(links.map(\.id))
        var networks: [NetworkSubnet] = []
        let rawNetworks = try list(document["networks"], subject: "network_data.json", field: "networks")
        guard rawNetworks.count <= NetworkValidator.maximumNetworks else {
            throw NetworkConfigError(
                "network_data.json", field: "networks",
                "\(rawNetworks.count) networks; at most \(NetworkValidator.maximumNetworks) are accepted")
        }
        let skippedLinkIDs = documentIDs.subtracting(linkIDs)
        for (index, raw) in rawNetworks.enumerated() {
            guard let network = try OpenStackNetworkEntry.convert(raw, index: index, skipped: &skipped) else {
                continue
            }
            if skippedLinkIDs.contains(network.linkID) {
                skipped.append(
                    "network '\(NetworkText.preview(network.id))': its link '\(NetworkText.preview(network.linkID))' was skipped"
                )
                continue
            }
            networks.append(network)
        }
        let services = try OpenStackNetworkEntry.services(
            document["services"], subject: "network_data.json", skipped: &skipped)
        return NetworkConfiguration(
            links: links, networks: networks, dnsServers: services.dns, searchDomains: services.search, skipped: skipped
        )
    }

    private static func convertLink(_ raw: JSONValue, index: Int, skipped: inout [String]) throws -> NetworkLink? {
        guard let entry = raw.objectValue else {
            throw NetworkConfigError("links[\(index)]", field: "", "not an object")
        }
        guard let id = entry["id"]?.stringValue, !id.isEmpty else {
            throw NetworkConfigError("links[\(index)]", field: "id", "missing or not a string")
        }
        // A null type is a NIC: cloud-init lists None among its physical types (its
        // configdrive tests carry a link with `"type": null`). An absent type stays refused.
        let type: String
        switch entry["type"] {
        case .string(let text)?: type = text
        case .null?: type = "phy"
        default: throw NetworkConfigError.link(id, "type", "missing or not a string")
        }
        let mtu = try optionalInt(entry["mtu"], subject: { .link(id, "mtu", $0) })
        switch type {
        case "bond":
            let members = try list(
                entry["bond_links"], subject: "link '\(NetworkText.preview(id))'", field: "bond_links"
            ).map { member -> String in
                guard let name = member.stringValue else {
                    throw NetworkConfigError.link(id, "bond_links", "a member is not a string")
                }
                return name
            }
            // Names or the kernel's numbers (`"4"`, 4): both are valid bonding modes.
            let mode: String
            switch entry["bond_mode"] {
            case .string(let text)?: mode = BondSettings.modeName(text)
            case .number(let number)? where Int(exactly: number) != nil:
                mode = BondSettings.modeName(String(Int(exactly: number)!))
            default: throw NetworkConfigError.link(id, "bond_mode", "missing or not a string or number")
            }
            let settings = BondSettings(
                members: members, mode: mode,
                miimon: try optionalInt(entry["bond_miimon"], subject: { .link(id, "bond_miimon", $0) }),
                xmitHashPolicy: try optionalString(
                    entry["bond_xmit_hash_policy"], subject: { .link(id, "bond_xmit_hash_policy", $0) }),
                lacpRate: try lacpRate(entry["bond_lacp_rate"], id: id))
            return NetworkLink(
                id: id, kind: .bond(settings),
                macAddress: try mac(entry["ethernet_mac_address"], id: id, field: "ethernet_mac_address"), mtu: mtu)
        case "vlan":
            guard let parent = entry["vlan_link"]?.stringValue else {
                throw NetworkConfigError.link(id, "vlan_link", "missing or not a string")
            }
            guard let vlanID = try optionalInt(entry["vlan_id"], subject: { .link(id, "vlan_id", $0) }) else {
                throw NetworkConfigError.link(id, "vlan_id", "missing")
            }
            let address =
                try mac(entry["vlan_mac_address"], id: id, field: "vlan_mac_address")
                ?? mac(entry["ethernet_mac_address"], id: id, field: "ethernet_mac_address")
            return NetworkLink(
                id: id, kind: .vlan(VLANSettings(parent: parent, vlanID: vlanID)), macAddress: address, mtu: mtu)
        case let other where physicalTypes.contains(other):
            guard let address = try mac(entry["ethernet_mac_address"], id: id, field: "ethernet_mac_address") else {
                throw NetworkConfigError.link(id, "ethernet_mac_address", "missing")
            }
            return NetworkLink(id: id, kind: .physical, macAddress: address, mtu: mtu)
        default:
            skipped.append("link '\(NetworkText.preview(id))': unknown type '\(NetworkText.preview(type))', skipped")
            return nil
        }
    }

    /// Removes what hangs on a link skipped for its type: its bond membership (a bond left
    /// with no member goes too) and VLANs on it. Ids that exist nowhere in the document
    /// stay, for the validator to refuse.
    private static func dropOrphans(_ links: [NetworkLink], skippedIDs: Set<String>, skipped: inout [String])
        -> [NetworkLink]
    {
        var removed = skippedIDs
        var result: [NetworkLink] = []
        for var link in links {
            switch link.kind {
            case .physical, .infiniband, .bridge: break  // network_data.json has no bridges or InfiniBand links
            case .bond(var bond):
                let gone = bond.members.filter { removed.contains($0) }
                if !gone.isEmpty {
                    bond.members.removeAll { removed.contains($0) }
                    if bond.members.isEmpty {
                        skipped.append("link '\(NetworkText.preview(link.id))': every member was skipped, skipped")
                        removed.insert(link.id)
                        continue
                    }
                    skipped.append(
                        "link '\(NetworkText.preview(link.id))': skipped members left out: \(gone.map(NetworkText.preview).joined(separator: ", "))"
                    )
                    link.kind = .bond(bond)
                }
            case .vlan(let vlan):
                if removed.contains(vlan.parent) {
                    skipped.append(
                        "link '\(NetworkText.preview(link.id))': its parent '\(NetworkText.preview(vlan.parent))' was skipped, skipped"
                    )
                    removed.insert(link.id)
                    continue
                }
            }
            result.append(link)
        }
        return result
    }

    private static func lacpRate(_ value: JSONValue?, id: String) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string("fast")?, .string("1")?: return "fast"
        case .string("slow")?, .string("0")?: return "slow"
        case let number? where number.wholeNumber == 1: return "fast"
        case let number? where number.wholeNumber == 0: return "slow"
        case let other?:
            throw NetworkConfigError.link(
                id, "bond_lacp_rate", "'\(NetworkText.preview(other.plainText))' is not fast, slow, 1 or 0")
        }
    }

    private static func mac(_ value: JSONValue?, id: String, field: String) throws -> String? {
        guard let value, value != .null else { return nil }
        guard let text = value.stringValue, let normalized = MACAddress.normalize(text) else {
            throw NetworkConfigError.link(id, field, "'\(NetworkText.preview(value.plainText))' is not a MAC address")
        }
        return normalized
    }

    static func list(_ value: JSONValue?, subject: String, field: String) throws -> [JSONValue] {
        guard let value, value != .null else { return [] }
        guard let array = value.arrayValue else { throw NetworkConfigError(subject, field: field, "not a list") }
        return array
    }

    /// An integer given as a JSON number or a decimal string; null or absent is nil.
    static func optionalInt(_ value: JSONValue?, subject: (String) -> NetworkConfigError) throws -> Int? {
        switch value {
        case nil, .null?: return nil
        case .number?, .bool?:
            guard let exact = value?.wholeNumber else { throw subject("\(value!.plainText) is not a whole number") }
            return exact
        case .string(let text)?:
            guard let number = Int(text.trimmingWhitespace()) else {
                throw subject("'\(NetworkText.preview(text))' is not a number")
            }
            return number
        default: throw subject("not a number")
        }
    }

    static func optionalString(_ value: JSONValue?, subject: (String) -> NetworkConfigError) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw subject("not a string")
        }
    }
}
