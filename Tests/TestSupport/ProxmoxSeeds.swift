import Foundation

/// The drives Proxmox VE writes for a Linux VM, in the format of its generator
/// (`src/PVE/QemuServer/Cloudinit.pm` in proxmox/qemu-server: `cloudinit_userdata`,
/// `nocloud_network`, `configdrive2_network`, the SHA-1 instance ids): the data, rebuilt here
/// from the VM settings a user sets in its GUI (`ciuser`, `cipassword`, `sshkeys`, `ipconfig0`...).
public struct ProxmoxVM: Sendable {
    public var name = "pve-vm1"
    public var searchDomain: String? = "example.lan"
    public var nameservers: [String] = ["192.0.2.53"]
    public var user: String? = "pveadmin"
    /// As Proxmox stores it: a crypt hash when set in the GUI for a Linux VM, or clear text.
    public var password: String? = "Proxmox-Pass-1"
    public var sshKeys: [String] = []
    public var packageUpgrade = true
    public var mac = "bc:24:11:aa:bb:01"
    /// `dhcp`, or an IPv4 CIDR; `ip6` is `dhcp`, `auto` or a CIDR.
    public var ip: String? = "dhcp"
    public var gateway: String?
    public var ip6: String?
    public var gateway6: String?

    public init() {}

    /// `cloudinit_userdata`: the same keys in the same order.
    public var userData: String {
        let fqdn = name.contains(".") ? name : searchDomain.map { "\(name).\($0)" } ?? name
        let hostname = String(name.split(separator: ".").first ?? "")
        var text = "#cloud-config\nhostname: \(hostname)\nmanage_etc_hosts: true\nfqdn: \(fqdn)\n"
        if let user { text += "user: \(user)\n" }
        if user == "root" { text += "disable_root: False\n" }
        if let password { text += "password: \(password)\n" }
        if !sshKeys.isEmpty { text += "ssh_authorized_keys:\n" + sshKeys.map { "  - \($0)\n" }.joined() }
        text += "chpasswd:\n  expire: False\n"
        if user != "root" { text += "users:\n  - default\n" }
        if packageUpgrade { text += "package_upgrade: true\n" }
        return text
    }

    /// `nocloud_network`: network config version 1.
    public var networkConfigV1: String {
        var text =
            "version: 1\nconfig:\n    - type: physical\n      name: eth0\n      mac_address: '\(mac)'\n      subnets:\n"
        if let ip {
            if ip == "dhcp" {
                text += "      - type: dhcp4\n"
            } else {
                let (address, mask) = Self.split(ip)
                text += "      - type: static\n        address: '\(address)'\n        netmask: '\(mask)'\n"
                if let gateway { text += "        gateway: '\(gateway)'\n" }
            }
        }
        if let ip6 {
            switch ip6 {
            case "dhcp": text += "      - type: dhcp6\n"
            case "auto": text += "      - type: ipv6_slaac\n"
            default:
                text += "      - type: static6\n        address: '\(ip6)'\n"
                if let gateway6 { text += "        gateway: '\(gateway6)'\n" }
            }
        }
        text += "    - type: nameserver\n      address:\n" + nameservers.map { "      - '\($0)'\n" }.joined()
        if let searchDomain { text += "      search:\n      - '\(searchDomain)'\n" }
        return text
    }

    /// `configdrive2_network`: ENI text, the name servers in the loopback stanza.
    public var networkENI: String {
        var text = "auto lo\niface lo inet loopback\n\n"
        if !nameservers.isEmpty { text += "        dns_nameservers \(nameservers.joined(separator: " "))\n" }
        if let searchDomain { text += "        dns_search \(searchDomain)\n" }
        text += "auto eth0\n"
        if let ip {
            if ip == "dhcp" {
                text += "iface eth0 inet dhcp\n"
            } else {
                let (address, mask) = Self.split(ip)
                text += "iface eth0 inet static\n        address \(address)\n        netmask \(mask)\n"
                if let gateway { text += "        gateway \(gateway)\n" }
            }
        }
        if let ip6 {
            if ip6 == "auto" || ip6 == "dhcp" {
                text += "iface eth0 inet6 \(ip6)\n"
            } else {
                let parts = ip6.split(separator: "/")
                text += "iface eth0 inet6 static\n        address \(parts[0])\n        netmask \(parts[1])\n"
                if let gateway6 { text += "        gateway \(gateway6)\n" }
            }
        }
        return text
    }

    /// Writes the `nocloud` drive's files into `directory`; returns the instance id.
    @discardableResult
    public func writeNoCloud(to directory: String) async throws -> String {
        let instanceID = try await Self.sha1(userData + networkConfigV1)
        try write(
            [
                "user-data": userData, "network-config": networkConfigV1, "meta-data": "instance-id: \(instanceID)\n",
                "vendor-data": "",
            ], to: directory)
        return instanceID
    }

    /// Writes the `configdrive2` drive's tree into `directory`; returns the instance id.
    @discardableResult
    public func writeConfigDrive2(to directory: String) async throws -> String {
        let instanceID = try await Self.sha1(userData + networkENI)
        let meta =
            "{\n     \"uuid\": \"\(instanceID)\",\n     \"network_config\": { \"content_path\": \"/content/0000\" }\n}\n"
        try write(
            [
                "openstack/latest/user_data": userData, "openstack/content/0000": networkENI,
                "openstack/latest/meta_data.json": meta, "openstack/latest/vendor_data.json": "",
            ], to: directory)
        return instanceID
    }

    private func write(_ files: [String: String], to directory: String) throws {
        for (path, text) in files {
            let full = directory + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
    }

    /// An IPv4 CIDR as address and dotted mask (`split_ip4`).
    static func split(_ cidr: String) -> (String, String) {
        let parts = cidr.split(separator: "/")
        let bits = Int(parts[1]) ?? 32
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        let octets = (0..<4).map { String((mask >> (24 - 8 * $0)) & 0xFF) }
        return (String(parts[0]), octets.joined(separator: "."))
    }

    static func sha1(_ text: String) async throws -> String {
        let result = try await Program.tool("sha1sum", [], input: Data(text.utf8))
        return String(result.standardOutput.prefix(40))
    }
}
