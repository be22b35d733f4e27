import AgentBase
import FoundationEssentials

/// The guest's interface names by MAC address, read from `/sys/class/net/*/address` under the
/// root: cloud-init's `get_interfaces_by_mac`, with which it names the links of the clouds
/// whose metadata gives only MACs (Vultr, Oracle). A link named after the NIC that already
/// carries its MAC asks for no renaming.
enum SystemInterfaceNames {
    /// Lower-case MAC -> name; `lo`, names the agent cannot use and NICs without a MAC left
    /// out. When two interfaces share a MAC (a bond or VLAN over its NIC), the NIC with a
    /// `device` link (the hardware) wins, else the first in name order.
    static func byMAC(under root: SystemRoot) -> [String: String] {
        guard let directory = try? root.resolve("/sys/class/net"),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return [:] }
        var result: [String: String] = [:]
        var physical: [String: Bool] = [:]
        for name in names.sorted() where name != "lo" && InterfaceName.isValid(name) {
            let path = directory + "/" + name
            guard
                let text = PlainFileIO.readPrefix(ofFile: path + "/address", maxBytes: 128).map({
                    String(decoding: $0, as: UTF8.self)
                }),
                let mac = MACAddress.normalize(text), mac != "00:00:00:00:00:00"
            else { continue }
            let isDevice = FileManager.default.fileExists(atPath: path + "/device")
            if let existing = physical[mac], existing || !isDevice { continue }
            result[mac] = name
            physical[mac] = isDevice
        }
        return result
    }
}
