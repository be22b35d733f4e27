import AgentBase
import DataSources
import FoundationEssentials

/// What brings the new configuration up on the live system, with the backend's own tool
/// (argv only). Only interfaces that are down are touched: the interface the agent reached
/// the metadata through is up, and taking it down could cut the instance off. Backends
/// whose tool reconfigures everything (netplan, networkd) run only when every interface
/// whose configuration changed is down; otherwise the change waits for the next boot.
public enum NetworkActivation {
    /// The commands to run, in order, and a note for the log when something was held back.
    ///
    /// In the local stage nothing is activated, on any backend: that stage runs before
    /// `network-pre.target`, so the network stack has not started and reads the files as it
    /// starts. Asking it to reload then would wait for a daemon that cannot start until the
    /// local unit ends (`networkctl reload` sat in D-Bus's 25 s timeout, booted for real).
    /// netplan is the exception that proves it: systemd-networkd reads what netplan's
    /// systemd generator rendered at the start of the boot, before the local stage wrote
    /// anything, so the local stage runs `netplan generate` (no daemon asked; what
    /// cloud-init's local stage does too) and networkd then starts on the new files.
    public static func commands(
        stage: PluginStage, renderer: NetworkRenderer, network: ResolvedNetwork, changedInterfaces: [String],
        down: Set<String>, files: [RenderedFile]
    ) -> (commands: [[String]], note: String?) {
        guard stage == .network else {
            guard !changedInterfaces.isEmpty else { return ([], nil) }
            if renderer == .netplan || renderer == .auto {
                return (
                    [["netplan", "generate"]],
                    "local stage: netplan generate; systemd-networkd reads the new files when it starts"
                )
            }
            return ([], "local stage: the network stack reads the new files when it starts")
        }
        let upChanged = changedInterfaces.filter { !down.contains($0) }
        let toBringUp = network.interfaces.map(\.name).filter { down.contains($0) }
        switch renderer {
        case .netplan, .auto, .networkd:
            guard !changedInterfaces.isEmpty else { return ([], nil) }
            guard upChanged.isEmpty else {
                return (
                    [],
                    "\(upChanged.joined(separator: ", ")) is up: the new configuration takes effect at the next boot"
                )
            }
            return (renderer == .networkd ? [["networkctl", "reload"]] : [["netplan", "apply"]], nil)
        case .eni:
            return (
                toBringUp.filter { network.interface($0)?.isPort == false }.map { ["ifup", $0] },
                upChanged.isEmpty
                    ? nil : "\(upChanged.joined(separator: ", ")) is up: left as it is until the next boot"
            )
        case .networkmanager:
            var commands = files.map { ["nmcli", "connection", "load", $0.path] }
            commands += toBringUp.filter { network.interface($0)?.isPort == false }
                .map { ["nmcli", "connection", "up", NetworkManagerRenderer.prefix + $0] }
            return (
                commands,
                upChanged.isEmpty
                    ? nil : "\(upChanged.joined(separator: ", ")) is up: left as it is until the next boot"
            )
        }
    }

    /// Interfaces whose `operstate` under the root is `down` (absent counts as down).
    static func downInterfaces(_ names: [String], root: SystemRoot) -> Set<String> {
        Set(
            names.filter { name in
                guard let path = try? root.resolve("/sys/class/net/\(name)/operstate"),
                    let data = FileManager.default.contents(atPath: path)
                else { return true }
                return String(decoding: data, as: UTF8.self).trimmingWhitespaceAndNewlines() == "down"
            })
    }
}
