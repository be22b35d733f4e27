import AgentBase
import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// What test_net.py's `NETWORK_CONFIGS` cases needed of the resolver and renderers (issue
/// 30): `accept-ra: false` on a DHCPv6 NIC refuses advertisements on every backend, and a NIC
/// matched by MAC and driver is configured only when /sys does not say another driver.
@Suite struct NetworkTestNetCasesRenderingTests {
    static func config(_ yaml: String) throws -> NetworkConfiguration {
        let value = try #require(try YAMLParser.parse(yaml))
        guard case .configuration(let config)? = NetworkDescription.fromCloudInitNetworkConfig(value) else {
            Issue.record("not a configuration")
            throw CancellationError()
        }
        return config
    }

    static func files(_ renderer: NetworkRenderer, _ network: ResolvedNetwork) -> [String: String] {
        Dictionary(uniqueKeysWithValues: RendererSelection.render(renderer, network).map { ($0.path, $0.text) })
    }

    @Test func acceptRAFalseOnADHCPv6NICIsRefusedOnEveryBackend() throws {
        let config = try Self.config(
            "version: 1\nconfig:\n- {type: physical, name: iface0, mac_address: '52:54:00:00:00:01', accept-ra: false, subnets: [{type: dhcp6}]}"
        )
        let network = NetworkResolver.resolve(config, nics: GuestNICs(byMAC: ["52:54:00:00:00:01": "iface0"])).network
        let interface = try #require(network.interface("iface0"))
        #expect(interface.dhcp6 && interface.routerAdvertisements == .refuse)
        let eni = try #require(Self.files(.eni, network)[ENIRenderer.path])
        #expect(eni.contains("iface iface0 inet6 dhcp\n    accept_ra 0"), "\(eni)")
        #expect(Self.files(.netplan, network)[NetplanRenderer.path]?.contains("accept-ra: false") == true)
        let networkd = Self.files(.networkd, network).values.joined()
        #expect(networkd.contains("IPv6AcceptRA=no") && networkd.contains("DHCP=ipv6"), "\(networkd)")
        let keyfile = Self.files(.networkmanager, network).values.joined()
        #expect(keyfile.contains("[ipv6]\nmethod=dhcp"), "\(keyfile)")
    }

    @Test func acceptRAOnABondMemberIsNotRendered() throws {
        let config = try Self.config(
            """
            version: 2
            ethernets: {eth0: {accept-ra: true}, eth1: {}}
            bonds: {bond0: {interfaces: [eth0, eth1], dhcp4: true}}
            """)
        let network = NetworkResolver.resolve(
            config, nics: GuestNICs(byMAC: ["52:54:00:00:00:01": "eth0", "52:54:00:00:00:02": "eth1"])
        ).network
        #expect(network.interface("eth0")?.routerAdvertisements == .unspecified)
    }

    /// A guest /sys whose NICs have the given drivers, as the kernel links them.
    static func sysTree(_ nics: [(name: String, mac: String, driver: String)]) throws -> TemporaryDirectory {
        let root = try TemporaryDirectory(prefix: "guest-agent-drivers")
        for nic in nics {
            try root.write(nic.mac + "\n", to: "sys/class/net/\(nic.name)/address")
            let driver = root.path + "/sys/bus/pci/drivers/\(nic.driver)"
            try FileManager.default.createDirectory(atPath: driver, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                atPath: root.path + "/sys/class/net/\(nic.name)/device", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: root.path + "/sys/class/net/\(nic.name)/device/driver",
                withDestinationPath: "../../../../bus/pci/drivers/\(nic.driver)")
        }
        return root
    }

    @Test func aNICWhoseDriverDiffersIsLeftOutWithAWarning() throws {
        let root = try Self.sysTree([
            ("eth0", "aa:bb:cc:dd:e8:00", "virtio_net"), ("vf0", "aa:bb:cc:dd:e8:01", "ixgbevf"),
        ])
        let nics = try GuestNICs.read(root: SystemRoot(root.path))
        #expect(nics.drivers == ["eth0": "virtio_net", "vf0": "ixgbevf"])
        let config = try Self.config(
            """
            version: 2
            ethernets:
              eth0: {match: {driver: virtio_net, macaddress: "aa:bb:cc:dd:e8:00"}, dhcp4: true}
              vf0: {set-name: vf0, match: {driver: e1000, macaddress: "aa:bb:cc:dd:e8:01"}, dhcp4: true}
            """)
        let result = NetworkResolver.resolve(config, nics: nics)
        #expect(result.network.interfaces.map(\.name) == ["eth0"])
        #expect(
            result.warnings.contains(
                "link 'vf0': guest interface 'vf0' has the driver 'ixgbevf', not 'e1000', left out"),
            "\(result.warnings)")
    }

    @Test func aDriverSysfsDoesNotSayIsNotHeldAgainstTheNIC() throws {
        let config = try Self.config(
            "version: 2\nethernets: {eth0: {match: {driver: virtio_net, macaddress: 'aa:bb:cc:dd:e8:00'}, dhcp4: true}}"
        )
        let result = NetworkResolver.resolve(config, nics: GuestNICs(byMAC: ["aa:bb:cc:dd:e8:00": "ens3"]))
        #expect(result.network.interfaces.map(\.name) == ["ens3"] && result.warnings.isEmpty)
    }

    @Test func routeMetricsAreWrittenByEveryBackend() throws {
        let network = NetworkInputCases.resolved("v1-metrics").network
        let eni = try #require(Self.files(.eni, network)[ENIRenderer.path])
        #expect(eni.contains("up ip route replace 0.0.0.0/0 via 192.168.0.1 metric 100 dev eth0"), "\(eni)")
        #expect(eni.contains("up ip route replace 10.1.3.0/24 via 192.168.0.3 dev eth0"), "\(eni)")
        #expect(eni.contains("up ip -6 route replace 3001:67c::/32 via 2001:1::2 metric 10000 dev eth0"), "\(eni)")
        #expect(!eni.contains("gateway 192.168.0.1"), "ifupdown's gateway takes no metric: \(eni)")
        let netplan = try #require(Self.files(.netplan, network)[NetplanRenderer.path])
        #expect(netplan.contains("via: \"192.168.0.1\"\n        metric: 100"), "\(netplan)")
        let networkd = Self.files(.networkd, network).values.joined()
        #expect(networkd.contains("Gateway=2001:1::2\nMetric=10000"), "\(networkd)")
        let keyfile = Self.files(.networkmanager, network).values.joined()
        #expect(keyfile.contains("route1=0.0.0.0/0,192.168.0.1,100"), "\(keyfile)")
        #expect(keyfile.contains("route2=10.1.3.0/24,192.168.0.3\n"), "\(keyfile)")
        #expect(keyfile.contains("route1=3001:67c::/32,2001:1::2,10000"), "\(keyfile)")
        #expect(!keyfile.contains("gateway="), "\(keyfile)")
    }

    @Test func wakeOnLANIsWrittenByEveryBackend() throws {
        let network = NetworkInputCases.resolved("v1-metrics").network
        #expect(Self.files(.eni, network)[ENIRenderer.path]?.contains("ethernet-wol g") == true)
        #expect(Self.files(.netplan, network)[NetplanRenderer.path]?.contains("  wakeonlan: true\n") == true)
        let link = Self.files(.networkd, network)[NetworkdRenderer.directory + "/10-guest-agent-eth0.link"]
        #expect(link?.contains("WakeOnLan=magic") == true, "\(String(describing: link))")
        #expect(Self.files(.networkmanager, network).values.joined().contains("wake-on-lan=64"))
    }

    @Test func wakeOnLANOnANICMatchedByNameGetsALinkByTheMACItHas() throws {
        // test_net.py `wakeonlan_disabled`: a v2 id with no match; the guest's NIC has that name.
        let config = try Self.config("version: 2\nethernets: {iface0: {dhcp4: true, wakeonlan: false}}")
        let network = NetworkResolver.resolve(config, nics: GuestNICs(byMAC: ["52:54:00:00:00:09": "iface0"])).network
        let link = try #require(
            Self.files(.networkd, network)[NetworkdRenderer.directory + "/10-guest-agent-iface0.link"])
        #expect(link.contains("MACAddress=52:54:00:00:00:09") && link.contains("Name=iface0"), "\(link)")
        #expect(link.contains("WakeOnLan=off"), "\(link)")
        #expect(Self.files(.eni, network)[ENIRenderer.path]?.contains("ethernet-wol d") == true)
    }

    @Test func anInfiniBandLinkIsFoundByNameAndWrittenByEveryBackend() throws {
        let root = try TemporaryDirectory(prefix: "guest-agent-ib")
        try root.write("a0:00:02:20:fe:80:00:00:00:00:00:00:ec:0d:9a:03:00:15:e2:c1\n", to: "sys/class/net/ib0/address")
        try root.write("52:54:00:00:00:01\n", to: "sys/class/net/ens3/address")
        let nics = try GuestNICs.read(root: SystemRoot(root.path))
        #expect(nics.infiniBand == ["ib0"] && nics.byMAC == ["52:54:00:00:00:01": "ens3"])
        let config = try Self.config(NetworkInputCases.v1InfiniBand)
        let result = NetworkResolver.resolve(config, nics: nics)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        let interface = try #require(result.network.interface("ib0"))
        #expect(interface.kind == .infiniband && interface.mtu == 4092)
        let keyfile = Self.files(.networkmanager, result.network).values.joined()
        #expect(
            keyfile.contains("type=infiniband") && keyfile.contains("[infiniband]\ntransport-mode=datagram\nmtu=4092"))
        #expect(keyfile.contains("interface-name=ib0"), "\(keyfile)")
        let eni = try #require(Self.files(.eni, result.network)[ENIRenderer.path])
        #expect(eni.contains("iface ib0 inet static") && !eni.contains("hwaddress"), "\(eni)")
        let netplan = try #require(Self.files(.netplan, result.network)[NetplanRenderer.path])
        #expect(netplan.contains("ib0:\n      match:\n        name: \"ib0\""), "\(netplan)")
        let networkd = Self.files(.networkd, result.network)
        #expect(networkd.keys.sorted() == [NetworkdRenderer.directory + "/10-guest-agent-ib0.network"])
    }

    @Test func anInfiniBandInterfaceTheGuestDoesNotHaveIsLeftOutWithAWarning() throws {
        let config = try Self.config(NetworkInputCases.v1InfiniBand)
        let result = NetworkResolver.resolve(config, nics: GuestNICs(byMAC: ["52:54:00:00:00:01": "ib0"]))
        #expect(result.network.interfaces.isEmpty)
        #expect(result.warnings.first == "link 'ib0': no InfiniBand interface is named 'ib0', left out")
    }

    @Test func theSubnetsMTUWinsAndAnIPv6SubnetsIsTheIPv6MTUOnEveryBackend() throws {
        let network = NetworkInputCases.resolved("v1-metrics").network
        let interface = try #require(network.interface("eth0"))
        #expect(interface.mtu == 9000 && interface.ipv6MTU == 1400)
        let eni = try #require(Self.files(.eni, network)[ENIRenderer.path])
        #expect(
            eni.contains("mtu 9000") && eni.contains("iface eth0 inet6 static\n    address 2001:1::1/64\n"), "\(eni)")
        #expect(eni.hasSuffix("    mtu 1400\n") || eni.contains("    mtu 1400\n"), "\(eni)")
        #expect(Self.files(.netplan, network)[NetplanRenderer.path]?.contains("  ipv6-mtu: 1400\n") == true)
        #expect(Self.files(.networkd, network).values.joined().contains("IPv6MTUBytes=1400"))
        let keyfile = Self.files(.networkmanager, network).values.joined()
        #expect(keyfile.contains("mtu=9000") && keyfile.contains("address1=2001:1::1/64\nmtu=1400"), "\(keyfile)")
    }

    @Test func everyBridgeOptionIsWrittenByEveryBackend() throws {
        let network = NetworkInputCases.resolved("v1-bridge-options").network
        let eni = try #require(Self.files(.eni, network)[ENIRenderer.path])
        for line in [
            "bridge_ports eth3 eth4", "bridge_ageing 250", "bridge_bridgeprio 22", "bridge_hello 1",
            "bridge_maxage 10", "bridge_pathcost eth3 50", "bridge_pathcost eth4 75", "bridge_portprio eth3 28",
            "bridge_portprio eth4 14",
        ] {
            #expect(eni.contains("    \(line)\n"), "\(line): \(eni)")
        }
        #expect(!eni.contains("gcint") && !eni.contains("waitport") && !eni.contains("maxwait"), "\(eni)")
        let netplan = try #require(Self.files(.netplan, network)[NetplanRenderer.path])
        let parameters = [
            "ageing-time: 250", "priority: 22", "hello-time: 1", "max-age: 10", "path-cost:", "  eth3: 50",
            "  eth4: 75",
            "port-priority:", "  eth3: 28", "  eth4: 14",
        ]
        #expect(netplan.contains(parameters.map { "        \($0)\n" }.joined()), "\(netplan)")
        let networkd = Self.files(.networkd, network)
        let netdev = try #require(networkd[NetworkdRenderer.directory + "/10-guest-agent-br0.netdev"])
        #expect(netdev.contains("AgeingTimeSec=250\nPriority=22\nHelloTimeSec=1\nMaxAgeSec=10\n"), "\(netdev)")
        let port = try #require(networkd[NetworkdRenderer.directory + "/10-guest-agent-eth4.network"])
        #expect(port.contains("[Bridge]\nCost=75\nPriority=14\n"), "\(port)")
        let keyfiles = Self.files(.networkmanager, network)
        let bridge = try #require(keyfiles[NetworkManagerRenderer.directory + "/guest-agent-br0.nmconnection"])
        #expect(bridge.contains("ageing-time=250\npriority=22\nhello-time=1\nmax-age=10\n"), "\(bridge)")
        let member = try #require(keyfiles[NetworkManagerRenderer.directory + "/guest-agent-eth3.nmconnection"])
        #expect(member.contains("[bridge-port]\npath-cost=50\npriority=28\n"), "\(member)")
    }

    @Test func everyBondOptionIsWrittenByEveryBackend() throws {
        let network = NetworkInputCases.resolved("v1-bond-options").network
        let eni = try #require(Self.files(.eni, network)[ENIRenderer.path])
        for line in [
            "bond-updelay 20", "bond-downdelay 10", "bond-num-grat-arp 5", "bond-fail-over-mac active",
            "bond-primary bond0s0", "bond-primary-reselect always", "bond-min-links 1",
        ] {
            #expect(eni.contains("    \(line)\n"), "\(line): \(eni)")
        }
        let netplan = try #require(Self.files(.netplan, network)[NetplanRenderer.path])
        for line in [
            "up-delay: 20", "down-delay: 10", "gratuitous-arp: 5", "fail-over-mac-policy: active", "primary: bond0s0",
            "primary-reselect-policy: always", "min-links: 1",
        ] {
            #expect(netplan.contains("      \(line)\n"), "\(line): \(netplan)")
        }
        let networkd = Self.files(.networkd, network)
        let netdev = try #require(networkd[NetworkdRenderer.directory + "/10-guest-agent-bond0.netdev"])
        for line in [
            "UpDelaySec=20ms", "DownDelaySec=10ms", "GratuitousARP=5", "FailOverMACPolicy=active",
            "PrimaryReselectPolicy=always", "MinLinks=1",
        ] {
            #expect(netdev.contains(line + "\n"), "\(line): \(netdev)")
        }
        #expect(
            networkd[NetworkdRenderer.directory + "/10-guest-agent-bond0s0.network"]?.contains("PrimarySlave=yes")
                == true)
        #expect(
            networkd[NetworkdRenderer.directory + "/10-guest-agent-bond0s1.network"]?.contains("PrimarySlave") == false)
        let keyfile = Self.files(.networkmanager, network).values.joined()
        for line in [
            "updelay=20", "downdelay=10", "num_grat_arp=5", "fail_over_mac=active", "primary=bond0s0",
            "primary_reselect=always", "min_links=1",
        ] {
            #expect(keyfile.contains(line + "\n"), "\(line): \(keyfile)")
        }
    }

    @Test func controlManualIsWrittenButLeftDownAtBootOnEveryBackend() throws {
        // test_net.py `manual`: eth0 static with `control: manual`; eth1 `type: manual`.
        let config = try Self.config(
            """
            version: 1
            config:
            - {type: physical, name: eth0, mac_address: '52:54:00:12:34:00', subnets: [{type: static, address: 192.168.1.2/24, control: manual}]}
            - {type: physical, name: eth1, mac_address: '52:54:00:12:34:aa', mtu: 1480, subnets: [{type: manual}]}
            """)
        let network = NetworkResolver.resolve(
            config, nics: GuestNICs(byMAC: ["52:54:00:12:34:00": "eth0", "52:54:00:12:34:aa": "eth1"])
        ).network
        #expect(network.interfaces.map(\.startsAtBoot) == [false, true])
        let eni = try #require(Self.files(.eni, network)[ENIRenderer.path])
        #expect(
            !eni.contains("auto eth0") && !eni.contains("allow-hotplug eth0") && eni.contains("iface eth0 inet static"),
            "\(eni)")
        #expect(eni.contains("auto eth1\n"), "\(eni)")
        let netplan = try #require(Self.files(.netplan, network)[NetplanRenderer.path])
        #expect(netplan.components(separatedBy: "activation-mode: manual").count == 2, "\(netplan)")
        let networkd = Self.files(.networkd, network)
        #expect(
            networkd[NetworkdRenderer.directory + "/10-guest-agent-eth0.network"]?.contains("ActivationPolicy=manual")
                == true)
        #expect(
            networkd[NetworkdRenderer.directory + "/10-guest-agent-eth1.network"]?.contains("ActivationPolicy") == false
        )
        let keyfiles = Self.files(.networkmanager, network)
        #expect(
            keyfiles[NetworkManagerRenderer.directory + "/guest-agent-eth0.nmconnection"]?.contains("autoconnect=false")
                == true)
        #expect(
            keyfiles[NetworkManagerRenderer.directory + "/guest-agent-eth1.nmconnection"]?.contains("autoconnect=true")
                == true)
    }
}
