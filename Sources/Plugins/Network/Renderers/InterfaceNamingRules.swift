import DataSources

/// The udev rules that give renamed NICs their new name at every boot, for the backends that
/// cannot rename (ifupdown, NetworkManager): one `NAME=` line per NIC, matched by the MAC it
/// has, in `/etc/udev/rules.d/70-guest-agent-net.rules` (cloud-init's eni renderer writes
/// the same rule in 70-persistent-net.rules). netplan (`set-name`) and networkd (a `.link`)
/// rename with their own files. Nothing when no NIC is renamed. Pure: no I/O.
public enum InterfaceNamingRules {
    public static let directory = "/etc/udev/rules.d"
    public static let prefix = "70-guest-agent-"
    public static let path = directory + "/" + prefix + "net.rules"

    public static func render(_ network: ResolvedNetwork) -> [RenderedFile] {
        let lines = network.interfaces.compactMap { interface -> String? in
            guard interface.kernelName != nil, let mac = interface.guestMAC else { return nil }
            // DRIVERS=="?*": a device with a driver, not a VLAN or bond that shares the MAC.
            return
                "SUBSYSTEM==\"net\", ACTION==\"add\", DRIVERS==\"?*\", ATTR{address}==\"\(mac)\", NAME=\"\(interface.name)\""
        }
        guard !lines.isEmpty else { return [] }
        return [RenderedFile(path: path, text: RenderedFile.header + lines.joined(separator: "\n") + "\n")]
    }
}
