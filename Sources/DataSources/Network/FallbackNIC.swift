import AgentBase
import FoundationEssentials

/// The guest's "fallback" NIC, as cloud-init picks it (`find_fallback_nic_on_linux` and
/// `find_candidate_nics_on_linux`, cloudinit/net/__init__.py), read from `/sys/class/net`
/// under the root: for platforms whose metadata configures "the" NIC without naming it or
/// giving its MAC (Scaleway).
///
/// Candidates: every interface but `lo` with a MAC address (`SystemInterfaceNames`: one per
/// MAC, the hardware NIC first), not `veth*`, not a bridge (`bridge/`), not a bond (`bonding/`). Those with `carrier` 1 come first; then those that
/// may get one (`dormant` 1, or `operstate` dormant, down, lowerlayerdown or unknown); the
/// rest are ignored. Within each group `eth0` first, then natural name order (`ens2` before
/// `ens10`). Departures: cloud-init also skips net_failover masters and waits for udev to
/// settle; the agent reads `/sys` as it is.
public struct FallbackNIC: Sendable, Equatable {
    public var name: String
    /// Lower-case `aa:bb:cc:dd:ee:ff`.
    public var macAddress: String

    public init(name: String, macAddress: String) {
        self.name = name
        self.macAddress = macAddress
    }

    /// The first candidate; nil when the root has none (no `/sys/class/net`, only `lo`).
    public static func find(under root: SystemRoot) -> FallbackNIC? {
        guard let directory = try? root.resolve("/sys/class/net") else { return nil }
        var connected: [FallbackNIC] = []
        var possible: [FallbackNIC] = []
        for (mac, name) in SystemInterfaceNames.byMAC(under: root) where !name.hasPrefix("veth") {
            let path = directory + "/" + name
            guard !FileManager.default.fileExists(atPath: path + "/bridge"),
                !FileManager.default.fileExists(atPath: path + "/bonding")
            else { continue }
            let nic = FallbackNIC(name: name, macAddress: mac)
            if read(path + "/carrier") == "1" {
                connected.append(nic)
            } else if read(path + "/dormant") == "1"
                || ["dormant", "down", "lowerlayerdown", "unknown"].contains(read(path + "/operstate") ?? "")
            {
                possible.append(nic)
            }
        }
        return (ordered(connected) + ordered(possible)).first
    }

    /// `eth0` first, then natural order.
    static func ordered(_ nics: [FallbackNIC]) -> [FallbackNIC] {
        nics.sorted {
            if ($0.name == "eth0") != ($1.name == "eth0") { return $0.name == "eth0" }
            return naturalOrder($0.name, $1.name)
        }
    }

    /// cloud-init's `natural_sort_key`: runs of digits compare as numbers, the rest as text.
    static func naturalOrder(_ lhs: String, _ rhs: String) -> Bool {
        let left = runs(lhs)
        let right = runs(rhs)
        for (a, b) in zip(left, right) where a != b {
            if let x = Int(a), let y = Int(b) { return x < y }
            return a < b
        }
        return left.count < right.count
    }

    private static func runs(_ text: String) -> [String] {
        var result: [String] = []
        for character in text {
            if let last = result.last?.last, last.isNumber == character.isNumber {
                result[result.count - 1].append(character)
            } else {
                result.append(String(character))
            }
        }
        return result
    }

    /// A small `/sys` attribute, trimmed; nil when missing or unreadable (a down NIC's
    /// `carrier` cannot be read).
    private static func read(_ path: String) -> String? {
        PlainFileIO.readPrefix(ofFile: path, maxBytes: 128).map {
            String(decoding: $0, as: UTF8.self).trimmingWhitespaceAndNewlines()
        }
    }
}
