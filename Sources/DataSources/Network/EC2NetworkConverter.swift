/// Builds the network model from EC2 `network/interfaces/macs/*`: DHCP on every ENI
/// (matched to a guest NIC by MAC later), secondary private IPv4s as static addresses in
/// the ENI's subnet, DHCPv6 where the ENI has IPv6 addresses, and the default route only
/// through the primary ENI (`primaryMAC`, else device-number 0), as on EC2 the other ENIs' gateways would
/// otherwise compete for it.
public enum EC2NetworkConverter {
    public static func describe(_ interfaces: [EC2Interface], primaryMAC: String? = nil) -> NetworkDescription {
        NetworkDescription.make { try convert(interfaces, primaryMAC: primaryMAC) }
    }

    public static func convert(_ interfaces: [EC2Interface], primaryMAC: String? = nil) throws -> NetworkConfiguration {
        let primary =
            interfaces.first { $0.mac == primaryMAC } ?? interfaces.first { $0.deviceNumber == 0 } ?? interfaces.first
        var links: [NetworkLink] = []
        var networks: [NetworkSubnet] = []
        for interface in interfaces {
            guard let mac = MACAddress.normalize(interface.mac) else {
                throw NetworkConfigError.link(interface.mac, "mac", "not a MAC address")
            }
            let id = "eni-" + mac
            let isPrimary = interface.mac == primary?.mac
            links.append(NetworkLink(id: id, kind: .physical, macAddress: mac))
            networks.append(
                NetworkSubnet(id: id + "-dhcp4", linkID: id, method: .dhcp4, acceptsDefaultRoute: isPrimary))
            let secondary = interface.localIPv4s.dropFirst()
            if !secondary.isEmpty {
                guard let cidr = interface.subnetIPv4CIDR else {
                    throw NetworkConfigError.link(
                        id, "subnet-ipv4-cidr-block", "missing, but the interface has secondary addresses")
                }
                let subnet = try cidrBlock(cidr, id: id, field: "subnet-ipv4-cidr-block", ipv6: false)
                for (index, text) in secondary.enumerated() {
                    guard let address = IPAddress(text), address.isIPv4 else {
                        throw NetworkConfigError.link(
                            id, "local-ipv4s", "'\(NetworkText.preview(text))' is not an IPv4 address")
                    }
                    guard subnet.contains(address) else {
                        throw NetworkConfigError.link(id, "local-ipv4s", "\(address) is outside the subnet \(subnet)")
                    }
                    networks.append(
                        NetworkSubnet(
                            id: id + "-ipv4-\(index + 1)", linkID: id,
                            method: .staticAddress(IPPrefix(address: address, length: subnet.length))))
                }
            }
            if !interface.ipv6s.isEmpty {
                for text in interface.ipv6s where IPAddress(text).map({ !$0.isIPv4 }) != true {
                    throw NetworkConfigError.link(id, "ipv6s", "'\(NetworkText.preview(text))' is not an IPv6 address")
                }
                for cidr in interface.subnetIPv6CIDRs {
                    _ = try cidrBlock(cidr, id: id, field: "subnet-ipv6-cidr-blocks", ipv6: true)
                }
                networks.append(
                    NetworkSubnet(id: id + "-dhcp6", linkID: id, method: .dhcp6, acceptsDefaultRoute: isPrimary))
            }
        }
        return NetworkConfiguration(links: links, networks: networks)
    }

    static func cidrBlock(_ text: String, id: String, field: String, ipv6: Bool) throws -> IPPrefix {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(String(parts[0])), address.isIPv4 != ipv6,
            let length = Int(parts[1]), (0...address.bitCount).contains(length)
        else {
            throw NetworkConfigError.link(
                id, field, "'\(NetworkText.preview(text))' is not an \(ipv6 ? "IPv6" : "IPv4") CIDR block")
        }
        return IPPrefix(address: address, length: length).network
    }
}
