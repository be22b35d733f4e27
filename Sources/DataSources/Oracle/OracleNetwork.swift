import AgentBase
import FoundationEssentials

/// OCI's primary VNIC from `/opc/v2/vnics/`, as cloud-init configures it by default
/// (DataSourceOracle `_add_network_config_from_opc_imds` with `set_primary`, when the root
/// is not on iSCSI): the first VNIC of the list, matched by its `macAddr` (lower-cased), MTU
/// 9000 (cloud-init's `MTU`: OCI's VCNs carry jumbo frames), DHCP. As a cloud-init network
/// config version 1, converted by the agent's own converter; the link is matched by MAC and
/// named after the guest's interface with that MAC, as cloud-init names it (no renaming);
/// `eth0` when the guest has none (then nothing matches it, and the network plugin says so,
/// where cloud-init skips the VNIC).
///
/// Secondary VNICs (the list's other entries, static `privateIp`/`subnetCidrBlock`) are
/// configured by cloud-init only with `configure_secondary_nics`, off by default: not here.
enum OracleNetwork {
    /// cloud-init's `MTU`.
    static let mtu = 9000

    /// Nil when the list is empty; the primary VNIC's network; `.invalid` naming `location`
    /// when the document is not a list of VNICs or the first has no usable `macAddr`.
    /// `names`: the guest's interface names by MAC (`SystemInterfaceNames`).
    static func description(vnics: JSONValue, location: String, names: [String: String]) -> NetworkDescription? {
        guard let list = vnics.arrayValue else {
            return .invalid(NetworkConfigError(location, field: "", "not a list of VNICs"))
        }
        guard let primary = list.first else { return nil }
        guard let mac = primary.objectValue?["macAddr"]?.stringValue else {
            return .invalid(NetworkConfigError(location, field: "[0].macAddr", "missing"))
        }
        let normalized = MACAddress.normalize(mac) ?? mac.lowercased()
        let link: [String: YAMLValue] = [
            "type": .string("physical"), "name": .string(names[normalized] ?? "eth0"),
            "mac_address": .string(mac.lowercased()),
            "mtu": .int(mtu), "subnets": .list([.map(["type": .string("dhcp")])]),
        ]
        return NetworkDescription.fromCloudInitNetworkConfig(.map(["version": .int(1), "config": .list([.map(link)])]))
    }
}
