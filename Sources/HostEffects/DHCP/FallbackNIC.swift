import AgentBase
import FoundationEssentials

/// The NIC to ask for a lease before the network starts, chosen as cloud-init 22.4.2's
/// `find_candidate_nics_on_linux` does, from `/sys/class/net` under the root: not `lo`,
/// not a `veth*`, bridge or bond, with a MAC; those with a carrier first, then those that
/// may get one once up (dormant, or operstate down, lowerlayerdown, unknown); in natural
/// name order within each group, `eth0` first.
public struct FallbackNIC: Sendable, Equatable {
    public var name: String
    /// The 6-byte MAC address.
    public var hardwareAddress: [UInt8]
    /// Whether the NIC was administratively up (IFF_UP in `flags`) when it was chosen: the
    /// state to restore.
    public var wasUp: Bool

    public init(name: String, hardwareAddress: [UInt8], wasUp: Bool) {
        self.name = name
        self.hardwareAddress = hardwareAddress
        self.wasUp = wasUp
    }

    public var macDescription: String { hardwareAddress.map { hex($0) }.joined(separator: ":") }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// The chosen NIC, or nil when no interface qualifies (none, or none that is Ethernet).
    public static func choose(root: SystemRoot) -> FallbackNIC? {
        guard let directory = try? root.resolve("/sys/class/net"),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return nil }
        var connected: [FallbackNIC] = []
        var possiblyConnected: [FallbackNIC] = []
        for name in names where name != "lo" && !name.hasPrefix("veth") {
            let entry = directory + "/" + name
            func read(_ file: String) -> String? {
                FileManager.default.contents(atPath: entry + "/" + file).map {
                    String(decoding: $0.prefix(256), as: UTF8.self).trimmingWhitespaceAndNewlines()
                }
            }
            // ARPHRD_ETHER (1) only: the client speaks Ethernet (IPoIB, tun... are left out).
            guard read("type") == "1", let mac = read("address").flatMap(parseMAC),
                mac != [0, 0, 0, 0, 0, 0],
                !FileManager.default.fileExists(atPath: entry + "/bridge"),
                !FileManager.default.fileExists(atPath: entry + "/bonding")
            else { continue }
            let flags = read("flags").flatMap { UInt32($0.hasPrefix("0x") ? String($0.dropFirst(2)) : $0, radix: 16) }
            let nic = FallbackNIC(name: name, hardwareAddress: mac, wasUp: (flags ?? 0) & 1 == 1)
            if read("carrier") == "1" {
                connected.append(nic)
            } else if read("dormant") == "1"
                || ["dormant", "down", "lowerlayerdown", "unknown"].contains(read("operstate") ?? "")
            {
                possiblyConnected.append(nic)
            }
        }
        return (ordered(connected) + ordered(possiblyConnected)).first
    }

    private static func ordered(_ nics: [FallbackNIC]) -> [FallbackNIC] {
        nics.sorted { left, right in
            if left.name == "eth0" || right.name == "eth0" { return left.name == "eth0" && right.name != "eth0" }
            return naturalOrder(left.name, right.name)
        }
    }

    /// `ens3` before `ens10`: runs of digits compare as numbers.
    static func naturalOrder(_ left: String, _ right: String) -> Bool {
        func runs(_ text: String) -> [(digits: Bool, text: String)] {
            var result: [(Bool, String)] = []
            for character in text {
                let isDigit = character.isASCII && character.isNumber
                if let last = result.last, last.0 == isDigit {
                    result[result.count - 1].1.append(character)
                } else {
                    result.append((isDigit, String(character)))
                }
            }
            return result
        }
        let (a, b) = (runs(left), runs(right))
        for (x, y) in zip(a, b) where x.text != y.text {
            if x.digits, y.digits, let m = Int(x.text.prefix(18)), let n = Int(y.text.prefix(18)), m != n {
                return m < n
            }
            return x.text < y.text
        }
        return a.count < b.count
    }

    private static func parseMAC(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ":")
        guard parts.count == 6 else { return nil }
        let bytes = parts.compactMap { $0.count == 2 ? UInt8($0, radix: 16) : nil }
        return bytes.count == 6 ? bytes : nil
    }
}
