import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// The router's address from lease files and the route table under a root. The file shapes
/// are those of the clients that write them: systemd-networkd's `SERVER_ADDRESS=` (as in
/// cloud-init's `test_dhcp.py` networkd lease samples), dhclient's `lease { ... }` blocks, and
/// `/proc/net/route`'s little-endian hex.
@Suite struct VirtualRouterLocatorTests {
    static func write(_ text: String, to guestPath: String, in root: TemporaryDirectory) throws {
        let path = root.path + guestPath
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static let dhclientLeases = """
        lease {
          interface "eth0";
          fixed-address 10.1.1.50;
          option subnet-mask 255.255.255.0;
          option routers 10.1.1.1;
          option dhcp-server-identifier 10.1.1.2;
        }
        lease {
          interface "eth0";
          fixed-address 10.1.1.50;
          option routers 10.1.1.1;
          option dhcp-server-identifier 10.1.1.3;
        }

        """

    static let route = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        eth0\t0001010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
        eth0\t00000000\t0101010A\t0003\t0\t0\t0\t00000000\t0\t0\t0

        """

    @Test func networkdLeaseComesFirst() throws {
        let root = try TemporaryDirectory()
        try Self.write(
            "# This is private data. Do not parse.\nADDRESS=10.1.1.50\nSERVER_ADDRESS=10.1.1.9\n",
            to: "/run/systemd/netif/leases/2", in: root)
        try Self.write(Self.dhclientLeases, to: "/var/lib/dhcp/dhclient.eth0.leases", in: root)
        try Self.write(Self.route, to: "/proc/net/route", in: root)
        let found = try #require(VirtualRouterLocator(root: SystemRoot(root.path)).locate())
        #expect(found.address == "10.1.1.9")
        #expect(found.origin.contains("systemd-networkd"))
    }

    @Test func dhclientsLastLeaseInItsNewestFile() throws {
        let root = try TemporaryDirectory()
        try Self.write(Self.dhclientLeases, to: "/var/lib/dhcp/dhclient.eth0.leases", in: root)
        try Self.write(Self.route, to: "/proc/net/route", in: root)
        #expect(VirtualRouterLocator(root: SystemRoot(root.path)).locate()?.address == "10.1.1.3")
    }

    @Test func networkManagerLeaseInEitherForm() throws {
        let root = try TemporaryDirectory()
        try Self.write(
            "ADDRESS=10.1.1.50\nSERVER_ADDRESS=10.1.1.7\n", to: "/var/lib/NetworkManager/internal-uuid-eth0.lease",
            in: root)
        #expect(VirtualRouterLocator(root: SystemRoot(root.path)).locate()?.address == "10.1.1.7")
    }

    @Test func theDefaultGatewayIsTheLastResort() throws {
        let root = try TemporaryDirectory()
        try Self.write(Self.route, to: "/proc/net/route", in: root)
        let found = try #require(VirtualRouterLocator(root: SystemRoot(root.path)).locate())
        #expect(found.address == "10.1.1.1")
        #expect(found.origin.contains("/proc/net/route"))
    }

    @Test func nothingFoundIsNil() throws {
        let root = try TemporaryDirectory()
        try Self.write("garbage\n", to: "/var/lib/dhcp/dhclient.leases", in: root)
        #expect(VirtualRouterLocator(root: SystemRoot(root.path)).locate() == nil)
    }
}
