import AgentBase
import DataSources
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The guest's network interfaces by MAC address (and so their names), read from
/// `/sys/class/net/*/address` under the root (so `--root` and tests see a prepared tree).
public struct GuestNICs: Sendable, Equatable {
    /// Lower-case MAC -> interface name.
    public var byMAC: [String: String]
    /// Interface name -> kernel driver, where `/sys` says it (`device/driver`).
    public var drivers: [String: String]
    /// Names of the IPoIB interfaces (a 20-byte hardware address), matched by name only.
    public var infiniBand: Set<String>

    public init(byMAC: [String: String], drivers: [String: String] = [:], infiniBand: Set<String> = []) {
        self.byMAC = byMAC
        self.drivers = drivers
        self.infiniBand = infiniBand
    }

    /// The interface names, for links matched by name (ENI, network config without a MAC).
    public var names: Set<String> { Set(byMAC.values) }

    /// Reads the root's `/sys/class/net`. Missing directory: no NICs. Why reading follows
    /// links here: on a real system every entry of /sys/class/net is a symbolic link into
    /// /sys/devices, and this only reads.
    public static func read(root: SystemRoot) throws -> GuestNICs {
        let directory = try root.resolve("/sys/class/net")
        let interfaces = SystemInterfaceNames.scan(under: root)
        // A bond or VLAN already up shares its member's MAC: the NIC itself wins.
        let byMAC = SystemInterfaceNames.byMAC(interfaces)
        var drivers: [String: String] = [:]
        for name in byMAC.values {
            // `device/driver` links to the driver's directory (`.../drivers/virtio_net`).
            if let target = try? FileManager.default.destinationOfSymbolicLink(
                atPath: directory + "/" + name + "/device/driver"),
                let driver = target.split(separator: "/").last
            {
                drivers[name] = String(driver)
            }
        }
        let infiniBand = interfaces.filter { MACAddress.normalizeInfiniBand($0.address) != nil }.map(\.name)
        return GuestNICs(byMAC: byMAC, drivers: drivers, infiniBand: Set(infiniBand))
    }
}
