import FoundationEssentials

/// The drive's `meta-data/network/interfaces/macs/<mac>/` directories as the normalized
/// network model (docs/PROTOCOLS.md, Wakame-vdc).
///
/// Facts relied on (axsh/wakame-vdc `dcmgr/lib/dcmgr/metadata/aws.rb`, and `wakame-init`'s
/// `set_network_configuration`, which the images ran): the directory name is the MAC with
/// `-` for `:` ("vfat doesn't allow folder name including ':'"), and `mac` inside holds the
/// real one; each NIC has `local-ipv4s` (one address), `x-netmask`, `x-gateway`, `x-dns`,
/// `x-network`, `x-broadcast` and `x-metric`. wakame-init writes a static address for every
/// NIC and the gateway only on the NIC with the lowest `x-metric`, so one default route.
struct WakameNetwork {
    let drive: WakameDrive
    static let macs = "network/interfaces/macs"

    /// One NIC as the drive describes it.
    struct NIC {
        var directory: String
        var mac: String
        var address: String?
        var netmask: String?
        var gateway: String?
        var dns: [String]
        var metric: Int?
    }

    /// nil when the drive has no NIC directory.
    func description() throws -> NetworkDescription? {
        let directories = (try drive.list(Self.macs) ?? []).sorted()
        guard !directories.isEmpty else { return nil }
        // A NIC file that cannot be read as text fails the network only, as a bad value does.
        return NetworkDescription.make { try Self.configuration(try directories.map(read)) }
    }

    func read(_ directory: String) throws -> NIC {
        func value(_ name: String) throws -> String? {
            try drive.text("\(Self.macs)/\(directory)/\(name)").flatMap { $0.isEmpty ? nil : $0 }
        }
        return NIC(
            directory: directory,
            // The directory name when `mac` is missing: the same MAC, '-' for ':'.
            mac: try value("mac") ?? directory.replacing("-", with: ":"),
            address: try value("local-ipv4s"), netmask: try value("x-netmask"), gateway: try value("x-gateway"),
            dns: (try value("x-dns") ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init),
            metric: try value("x-metric").flatMap { Int($0) })
    }

    /// Static IPv4 on each NIC; the default route only on the gateway NIC (lowest metric,
    /// then directory order, as wakame-init's `sort -n | head -1`).
    static func configuration(_ nics: [NIC]) throws -> NetworkConfiguration {
        let gatewayNIC = nics.filter { $0.gateway != nil }.min { ($0.metric ?? 0) < ($1.metric ?? 0) }?.directory
        var links: [NetworkLink] = []
        var networks: [NetworkSubnet] = []
        var skipped: [String] = []
        for nic in nics {
            let place = "\(macs)/\(nic.directory)"
            guard let mac = MACAddress.normalize(nic.mac) else {
                throw NetworkConfigError.link(
                    nic.directory, "\(place)/mac", "'\(NetworkText.preview(nic.mac))' is not a MAC address")
            }
            links.append(NetworkLink(id: nic.directory, kind: .physical, macAddress: mac))
            guard let addressText = nic.address else {
                skipped.append("\(place): no local-ipv4s")
                continue
            }
            guard let address = IPAddress(addressText), address.isIPv4 else {
                throw NetworkConfigError.link(
                    nic.directory, "\(place)/local-ipv4s",
                    "'\(NetworkText.preview(addressText))' is not an IPv4 address")
            }
            let maskText = nic.netmask ?? "255.255.255.0"
            guard let mask = IPAddress(maskText), mask.isIPv4, let length = mask.netmaskPrefix else {
                throw NetworkConfigError.link(
                    nic.directory, "\(place)/x-netmask", "'\(NetworkText.preview(maskText))' is not an IPv4 netmask")
            }
            var routes: [NetworkRoute] = []
            if nic.directory == gatewayNIC, let gatewayText = nic.gateway {
                guard let gateway = IPAddress(gatewayText), gateway.isIPv4 else {
                    throw NetworkConfigError.link(
                        nic.directory, "\(place)/x-gateway",
                        "'\(NetworkText.preview(gatewayText))' is not an IPv4 address")
                }
                routes.append(
                    NetworkRoute(
                        destination: IPPrefix(address: IPAddress(bytes: [0, 0, 0, 0]), length: 0), gateway: gateway))
            }
            let dns = try nic.dns.map { text in
                guard let server = IPAddress(text) else {
                    throw NetworkConfigError.link(
                        nic.directory, "\(place)/x-dns", "'\(NetworkText.preview(text))' is not an IP address")
                }
                return server
            }
            networks.append(
                NetworkSubnet(
                    id: "\(nic.directory)-ipv4", linkID: nic.directory,
                    method: .staticAddress(IPPrefix(address: address, length: length)), routes: routes, dnsServers: dns)
            )
        }
        return NetworkConfiguration(links: links, networks: networks, skipped: skipped)
    }
}
