import AgentBase
import Foundation
import HostEffects
import TestSupport
import Testing

/// The NIC the local stage asks for a lease on, chosen from a prepared /sys/class/net as
/// cloud-init's `find_candidate_nics_on_linux` does.
@Suite struct FallbackNICTests {
    /// One interface's sysfs files: `type` 1 (Ethernet) unless given.
    static func add(
        _ name: String, in directory: TemporaryDirectory, mac: String, carrier: String? = "1",
        operstate: String = "up", flags: String = "0x1003", type: String = "1", extra: [String] = []
    ) throws {
        let base = "sys/class/net/\(name)/"
        _ = try directory.write("\(mac)\n", to: base + "address")
        _ = try directory.write("\(type)\n", to: base + "type")
        _ = try directory.write("\(operstate)\n", to: base + "operstate")
        _ = try directory.write("\(flags)\n", to: base + "flags")
        if let carrier { _ = try directory.write("\(carrier)\n", to: base + "carrier") }
        for directoryName in extra {
            try FileManager.default.createDirectory(
                atPath: directory.path + "/" + base + directoryName, withIntermediateDirectories: true)
        }
    }

    @Test func aConnectedNICWinsInNaturalOrderAndVirtualOnesAreLeftOut() throws {
        let root = try TemporaryDirectory(prefix: "fallback-nic")
        try Self.add("lo", in: root, mac: "00:00:00:00:00:00")
        try Self.add("veth0", in: root, mac: "02:00:00:00:00:01")
        try Self.add("br0", in: root, mac: "02:00:00:00:00:02", extra: ["bridge"])
        try Self.add("bond0", in: root, mac: "02:00:00:00:00:03", extra: ["bonding"])
        try Self.add("ib0", in: root, mac: "02:00:00:00:00:04", type: "32")
        try Self.add("ens10", in: root, mac: "52:54:00:00:00:10")
        try Self.add("ens9", in: root, mac: "52:54:00:00:00:09")
        try Self.add("ens2", in: root, mac: "52:54:00:00:00:02", carrier: "0", operstate: "down", flags: "0x1002")
        let nic = FallbackNIC.choose(root: SystemRoot(root.path))
        #expect(nic == FallbackNIC(name: "ens9", hardwareAddress: [0x52, 0x54, 0, 0, 0, 9], wasUp: true))
    }

    /// No carrier anywhere (every NIC still down at the local stage): the first one that may
    /// get one, and it is recorded as down, to be put back down.
    @Test func aDownNICIsTakenWhenNoneHasACarrier() throws {
        let root = try TemporaryDirectory(prefix: "fallback-nic")
        try Self.add("ens4", in: root, mac: "52:54:00:00:00:04", carrier: nil, operstate: "down", flags: "0x1002")
        try Self.add("ens3", in: root, mac: "52:54:00:00:00:03", carrier: nil, operstate: "down", flags: "0x1002")
        try Self.add("ens5", in: root, mac: "52:54:00:00:00:05", carrier: "0", operstate: "notpresent")
        let nic = FallbackNIC.choose(root: SystemRoot(root.path))
        #expect(nic?.name == "ens3")
        #expect(nic?.wasUp == false)
    }

    @Test func eth0ComesFirstAmongEquals() throws {
        let root = try TemporaryDirectory(prefix: "fallback-nic")
        try Self.add("eth1", in: root, mac: "52:54:00:00:00:01")
        try Self.add("eth0", in: root, mac: "52:54:00:00:00:00")
        try Self.add("abc0", in: root, mac: "52:54:00:00:00:0a")
        #expect(FallbackNIC.choose(root: SystemRoot(root.path))?.name == "eth0")
    }

    @Test func nothingUsableIsNil() throws {
        let root = try TemporaryDirectory(prefix: "fallback-nic")
        #expect(FallbackNIC.choose(root: SystemRoot(root.path)) == nil)
        try Self.add("ens3", in: root, mac: "not-a-mac")
        try Self.add("ens4", in: root, mac: "00:00:00:00:00:00")
        #expect(FallbackNIC.choose(root: SystemRoot(root.path)) == nil)
    }
}
