import AgentBase
import FoundationEssentials

/// The guest's interfaces as `/sys/class/net` under the root shows them: cloud-init's
/// `get_interfaces_by_mac`, with which it names the links of the clouds whose metadata gives
/// only MACs (Vultr, Oracle), and what the network plugin matches links against
/// (`GuestNICs`). A link named after the NIC that already carries its MAC asks for no renaming.
public enum SystemInterfaceNames {
    /// One interface: its name, its hardware address as the kernel prints it, and whether it
    /// is a device (a `device` link to its hardware) rather than a bond, VLAN or bridge.
    public struct Interface: Sendable, Equatable {
        public var name: String
        public var address: String
        public var isDevice: Bool
    }

    /// Every interface but `lo` and names the agent cannot use, in name order, with the
    /// address it has (none: left out).
    public static func scan(under root: SystemRoot) -> [Interface] {
        guard let directory = try? root.resolve("/sys/class/net"),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return [] }
        return names.sorted().compactMap { name in
            guard name != "lo", InterfaceName.isValid(name) else { return nil }
            let path = directory + "/" + name
            guard let data = PlainFileIO.readPrefix(ofFile: path + "/address", maxBytes: 128) else { return nil }
            return Interface(
                name: name, address: String(decoding: data, as: UTF8.self),
                isDevice: FileManager.default.fileExists(atPath: path + "/device"))
        }
    }

    /// Lower-case MAC -> name of the interfaces with an Ethernet MAC (not all zeros). When two
    /// share a MAC (a bond or VLAN already up over its NIC), the device wins, else the first
    /// in name order.
    public static func byMAC(under root: SystemRoot) -> [String: String] {
        byMAC(scan(under: root))
    }

    public static func byMAC(_ interfaces: [Interface]) -> [String: String] {
        var result: [String: String] = [:]
        var device: [String: Bool] = [:]
        for interface in interfaces {
            guard let mac = MACAddress.normalize(interface.address), mac != "00:00:00:00:00:00" else { continue }
            if let existing = device[mac], existing || !interface.isDevice { continue }
            result[mac] = interface.name
            device[mac] = interface.isDevice
        }
        return result
    }
}
