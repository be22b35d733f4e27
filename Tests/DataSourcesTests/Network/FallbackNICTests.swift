import AgentBase
import Foundation
import TestSupport
import Testing

@testable import DataSources

/// cloud-init's fallback NIC (`find_candidate_nics_on_linux`), on `/sys/class/net` trees
/// written under a scratch root the way the kernel shows them.
@Suite struct FallbackNICTests {
    /// A root with one directory per NIC holding each given attribute (`address`, `carrier`,
    /// `operstate`, or a `bridge`/`bonding` directory when its value is nil).
    static func root(_ nics: [String: [String: String?]]) throws -> TemporaryDirectory {
        let root = try TemporaryDirectory(prefix: "guest-agent-fallback-nic")
        try root.write("", to: "sys/class/net/.keep")
        for (name, attributes) in nics {
            for (attribute, value) in attributes {
                if let value {
                    try root.write(value + "\n", to: "sys/class/net/\(name)/\(attribute)")
                } else {
                    try root.write("", to: "sys/class/net/\(name)/\(attribute)/.keep")
                }
            }
        }
        return root
    }

    static func up(_ mac: String) -> [String: String?] { ["address": mac, "carrier": "1", "operstate": "up"] }
    static func down(_ mac: String) -> [String: String?] { ["address": mac, "operstate": "down"] }

    @Test func aConnectedNICBeatsADownOneAndNaturalOrderPutsEns2BeforeEns10() throws {
        let root = try Self.root([
            "lo": Self.up("00:00:00:00:00:00"), "ens10": Self.up("52:54:00:00:00:10"),
            "ens2": Self.up("52:54:00:00:00:02"), "ens1": Self.down("52:54:00:00:00:01"),
        ])
        #expect(
            FallbackNIC.find(under: SystemRoot(root.path))
                == FallbackNIC(name: "ens2", macAddress: "52:54:00:00:00:02"))
    }

    @Test func eth0ComesFirstInItsGroup() throws {
        let root = try Self.root(["eth1": Self.up("52:54:00:00:00:01"), "eth0": Self.up("52:54:00:00:00:00")])
        #expect(FallbackNIC.find(under: SystemRoot(root.path))?.name == "eth0")
    }

    /// veth, bridges, bonds and NICs without MAC are never candidates; a NIC neither with
    /// carrier nor possibly getting one (`operstate` up without carrier) is ignored.
    @Test func virtualAndDeadInterfacesAreNotCandidates() throws {
        let root = try Self.root([
            "veth0": Self.up("52:54:00:00:00:01"),
            "br0": Self.up("52:54:00:00:00:02").merging(["bridge": nil]) { $1 },
            "bond0": Self.up("52:54:00:00:00:03").merging(["bonding": nil]) { $1 },
            "ens3": ["carrier": "1"], "ens4": ["address": "52:54:00:00:00:04", "operstate": "up"],
        ])
        #expect(FallbackNIC.find(under: SystemRoot(root.path)) == nil)
        try root.write("down\n", to: "sys/class/net/ens4/operstate")
        #expect(FallbackNIC.find(under: SystemRoot(root.path))?.name == "ens4", "a down NIC may get a carrier")
    }

    @Test func noSysClassNetIsNone() throws {
        let root = try TemporaryDirectory(prefix: "guest-agent-fallback-nic")
        #expect(FallbackNIC.find(under: SystemRoot(root.path)) == nil)
    }

    @Test(arguments: [("ens2", "ens10", true), ("ens10", "ens2", false), ("eth1", "eth1", false), ("a", "ab", true)])
    func naturalOrder(lhs: String, rhs: String, before: Bool) {
        #expect(FallbackNIC.naturalOrder(lhs, rhs) == before)
    }
}
