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
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            return GuestNICs(byMAC: [:])
        }
        var byMAC: [String: String] = [:]
        var drivers: [String: String] = [:]
        var infiniBand: Set<String> = []
        var hasDevice: [String: Bool] = [:]
        for name in names.sorted() where name != "lo" && InterfaceName.isValid(name) {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name + "/address") else { continue }
            let address = String(decoding: data.prefix(128), as: UTF8.self)
            if MACAddress.normalizeInfiniBand(address) != nil { infiniBand.insert(name) }
            guard let mac = MACAddress.normalize(address), mac != "00:00:00:00:00:00" else { continue }
            // A bond or VLAN already up shares its member's MAC: the NIC itself (it has a
            // `device` link to its hardware) wins over the virtual one.
            let physical = FileManager.default.fileExists(atPath: directory + "/" + name + "/device")
            if let existing = hasDevice[mac], existing || !physical { continue }
            byMAC[mac] = name
            hasDevice[mac] = physical
            // `device/driver` links to the driver's directory (`.../drivers/virtio_net`).
            if let target = try? FileManager.default.destinationOfSymbolicLink(
                atPath: directory + "/" + name + "/device/driver"),
                let driver = target.split(separator: "/").last
            {
                drivers[name] = String(driver)
            }
        }
        return GuestNICs(byMAC: byMAC, drivers: drivers, infiniBand: infiniBand)
    }
}
