import AgentBase
import DataSources
import Foundation
import Plugins

/// Network descriptions in the formats besides network_data.json (cloud-init network config
/// v1 and v2, ENI text), each with the guest NICs it is rendered for: what the real-tools
/// and namespace tests put through every renderer.
enum NetworkInputCases {
    struct Case: Sendable {
        let name: String
        let nics: GuestNICs
        let description: NetworkDescription?
    }

    /// Proxmox VE's NoCloud v1: matched by MAC (the guest calls the NIC ens18), static
    /// IPv4 and IPv6 with gateways, global name servers.
    static let v1Proxmox = """
        version: 1
        config:
            - type: physical
              name: eth0
              mac_address: 'bc:24:11:aa:bb:01'
              subnets:
              - type: static
                address: '10.0.0.5'
                netmask: '255.255.255.0'
                gateway: '10.0.0.1'
              - type: static6
                address: '2001:db8:0:1::5/64'
                gateway: '2001:db8:0:1::1'
            - type: nameserver
              address: ['10.0.0.2']
              search: ['example.com']
        """

    /// v2 with every virtual kind: two NICs by name in a bond, the bond in a bridge with a
    /// static address, a VLAN on the bridge with DHCP.
    static let v2Stack = """
        network:
          version: 2
          ethernets:
            eth0: {}
            eth1: {match: {name: eth1}}
          bonds:
            bond0:
              interfaces: [eth0, eth1]
              parameters: {mode: active-backup, mii-monitor-interval: 100}
          bridges:
            br0:
              interfaces: [bond0]
              parameters: {stp: true, forward-delay: 4}
              addresses: [192.0.2.10/24]
              routes: [{to: 198.51.100.0/24, via: 192.0.2.254}]
              nameservers: {addresses: [192.0.2.53]}
          vlans:
            br0.30: {id: 30, link: br0, dhcp4: true}
        """

    /// Proxmox VE's configdrive2 ENI: NICs by name only (`eth0`, `eth1`).
    static let eniProxmox = """
        auto lo
        iface lo inet loopback

                dns_nameservers 10.0.0.2
                dns_search example.com
        auto eth0
        iface eth0 inet static
                address 10.0.0.5
                netmask 255.255.255.0
                gateway 10.0.0.1
        iface eth0 inet6 static
                address 2001:db8:0:1::5
                netmask 64
                gateway 2001:db8:0:1::1
        auto eth1
        iface eth1 inet dhcp
        """

    /// Debian's bridge over a NIC, by name.
    static let eniBridge = """
        auto eth0
        iface eth0 inet manual

        auto br0
        iface br0 inet static
            bridge_ports eth0
            bridge_stp off
            bridge_fd 2
            address 10.0.0.5/24
            gateway 10.0.0.1
        """

    /// The bridge of test_net.py's `all` case (v1): every spanning tree setting cloud-init
    /// passes on, per bridge and per port, and ifupdown's own timing (`bridge_gcint`,
    /// `bridge_maxwait`, `bridge_waitport`), which is skipped.
    static let v1BridgeOptions = """
        version: 1
        config:
          - {type: physical, name: eth3, mac_address: "66:bb:9f:2c:e8:80"}
          - {type: physical, name: eth4, mac_address: "98:bb:9f:2c:e8:80"}
          - type: bridge
            name: br0
            bridge_interfaces: [eth3, eth4]
            params:
              bridge_ageing: 250
              bridge_bridgeprio: 22
              bridge_fd: 1
              bridge_gcint: 2
              bridge_hello: 1
              bridge_maxage: 10
              bridge_maxwait: 0
              bridge_pathcost: ["eth3 50", "eth4 75"]
              bridge_portprio: ["eth3 28", "eth4 14"]
              bridge_stp: 'off'
              bridge_waitport: ["1 eth3", "2 eth4"]
            subnets:
              - {type: static, address: 192.168.14.2/24}
        """

    /// Route metrics, as MAAS writes them (test_net.py `small` and `bond`): a default route
    /// and a network route, each with its metric, beside a route without one; wake-on-LAN;
    /// subnet MTUs (test_net.py `v4_and_v6_static`: the IPv4 subnet's wins over the link's,
    /// the IPv6 subnet's is the IPv6 MTU).
    static let v1Metrics = """
        version: 1
        config:
            - type: physical
              name: eth0
              mac_address: '52:54:00:00:00:01'
              wakeonlan: true
              mtu: 8999
              subnets:
              - type: static
                address: 192.168.0.2/24
                mtu: 9000
                routes:
                - {network: 0.0.0.0, netmask: 0.0.0.0, gateway: 192.168.0.1, metric: 100}
                - {network: 10.1.3.0, netmask: 255.255.255.0, gateway: 192.168.0.3}
              - type: static
                address: 2001:1::1/64
                mtu: 1400
                routes:
                - {network: '3001:67c::', netmask: 'ffff:ffff::', gateway: '2001:1::2', metric: 10000}
        """

    /// An IPoIB interface (test_net.py `all`'s `ib0`), with its 20-byte hardware address.
    static let v1InfiniBand = """
        version: 1
        config:
            - type: infiniband
              name: ib0
              mac_address: a0:00:02:20:fe:80:00:00:00:00:00:00:ec:0d:9a:03:00:15:e2:c1
              mtu: 4092
              subnets:
              - {type: static, address: 192.168.200.7/24}
        """

    /// Every bonding option of test_net.py's `bond` case, in v1's spellings (`-` and `_`).
    static let v1BondOptions = """
        version: 1
        config:
            - {type: physical, name: bond0s0, mac_address: 'aa:bb:cc:dd:e8:00'}
            - {type: physical, name: bond0s1, mac_address: 'aa:bb:cc:dd:e8:01'}
            - type: bond
              name: bond0
              bond_interfaces: [bond0s0, bond0s1]
              params:
                bond-mode: active-backup
                bond_miimon: 100
                bond-num-grat-arp: 5
                bond-downdelay: 10
                bond-updelay: 20
                bond-fail-over-mac: active
                bond-primary: bond0s0
                bond-primary-reselect: always
                bond-min-links: 1
              subnets:
              - {type: static, address: 192.168.0.2/24, gateway: 192.168.0.1}
        """

    static func cloudInit(_ yaml: String) -> NetworkDescription? {
        NetworkDescription.fromCloudInitNetworkConfig(try! YAMLParser.parse(yaml)!)
    }

    static let all: [Case] = [
        Case(
            name: "v1-proxmox", nics: GuestNICs(byMAC: ["bc:24:11:aa:bb:01": "ens18"]),
            description: cloudInit(v1Proxmox)),
        Case(
            name: "v2-stack", nics: GuestNICs(byMAC: ["52:54:00:00:00:01": "eth0", "52:54:00:00:00:02": "eth1"]),
            description: cloudInit(v2Stack)),
        Case(
            name: "eni-proxmox", nics: GuestNICs(byMAC: ["52:54:00:00:00:01": "eth0", "52:54:00:00:00:02": "eth1"]),
            description: .fromENI(eniProxmox)),
        Case(
            name: "v1-metrics", nics: GuestNICs(byMAC: ["52:54:00:00:00:01": "eth0"]), description: cloudInit(v1Metrics)
        ),
        Case(
            name: "v1-infiniband", nics: GuestNICs(byMAC: [:], infiniBand: ["ib0"]),
            description: cloudInit(v1InfiniBand)),
        Case(
            name: "v1-bond-options",
            nics: GuestNICs(byMAC: ["aa:bb:cc:dd:e8:00": "bond0s0", "aa:bb:cc:dd:e8:01": "bond0s1"]),
            description: cloudInit(v1BondOptions)),
        Case(
            name: "v1-bridge-options",
            nics: GuestNICs(byMAC: ["66:bb:9f:2c:e8:80": "eth3", "98:bb:9f:2c:e8:80": "eth4"]),
            description: cloudInit(v1BridgeOptions)),
        Case(
            name: "v2-on-link", nics: GuestNICs(byMAC: ["52:54:00:12:34:57": "eth0"]),
            description: cloudInit(NetworkOnLinkTests.v2)),
        Case(
            name: "eni-bridge", nics: GuestNICs(byMAC: ["52:54:00:00:00:01": "eth0"]), description: .fromENI(eniBridge)),
    ]

    static func resolved(_ name: String) -> NetworkResolver.Result {
        let found = all.first { $0.name == name }!
        guard case .configuration(let config)? = found.description else {
            fatalError("\(name): \(String(describing: found.description))")
        }
        return NetworkResolver.resolve(config, nics: found.nics)
    }
}
