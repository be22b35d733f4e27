import AgentBase
import FoundationEssentials

/// Finds CloudStack's virtual router, which serves the metadata and the password: the DHCP
/// server of the guest's lease, else the default gateway (docs/PROTOCOLS.md, CloudStack).
/// Everything is read as files under the root; nothing is asked of a running DHCP client.
///
/// The order is cloud-init's `get_vr_address` without its first step (a DNS lookup of
/// `data-server`, which would make discovery wait on a resolver): systemd-networkd's lease
/// (`SERVER_ADDRESS=`), dhclient's newest lease file (`option dhcp-server-identifier`, its
/// last lease), NetworkManager's lease files (either form), then `/proc/net/route`.
public struct VirtualRouterLocator: Sendable {
    public let root: SystemRoot

    public init(root: SystemRoot) {
        self.root = root
    }

    /// systemd-networkd's lease files, one per interface index.
    static let networkdLeases = "/run/systemd/netif/leases"
    /// dhclient's lease directories: Debian's, then Red Hat's (cloud-init's fallback).
    static let dhclientDirectories = ["/var/lib/dhcp", "/var/lib/dhclient"]
    /// NetworkManager's lease files (`dhclient-<uuid>-<ifname>.lease` with its dhclient
    /// backend, `internal-<uuid>-<ifname>.lease` with its own client).
    static let networkManagerDirectory = "/var/lib/NetworkManager"

    /// Where the router was found, for the log and `query`.
    public struct Found: Sendable, Equatable {
        public var address: String
        /// `systemd-networkd lease /run/...`, `default gateway in /proc/net/route`.
        public var origin: String
    }

    public func locate() -> Found? {
        networkd() ?? dhclient() ?? networkManager() ?? defaultGateway()
    }

    func networkd() -> Found? {
        for (path, text) in files(in: Self.networkdLeases, newestFirst: false) {
            if let address = Self.keyValue("SERVER_ADDRESS", in: text) {
                return Found(address: address, origin: "systemd-networkd lease \(path)")
            }
        }
        return nil
    }

    func dhclient() -> Found? {
        for directory in Self.dhclientDirectories {
            let leases = files(in: directory, newestFirst: true).filter {
                let name = $0.path.split(separator: "/").last.map(String.init) ?? ""
                return name.hasPrefix("dhclient") && (name.hasSuffix(".leases") || name.hasSuffix(".lease"))
            }
            // The newest file only, as cloud-init: an old file may name a router of another network.
            if let (path, text) = leases.first {
                return Self.dhclientServer(in: text).map { Found(address: $0, origin: "dhclient lease \(path)") }
            }
        }
        return nil
    }

    func networkManager() -> Found? {
        for (path, text) in files(in: Self.networkManagerDirectory, newestFirst: true) where path.hasSuffix(".lease") {
            if let address = Self.dhclientServer(in: text) ?? Self.keyValue("SERVER_ADDRESS", in: text) {
                return Found(address: address, origin: "NetworkManager lease \(path)")
            }
        }
        return nil
    }

    /// The gateway of the first default route (destination 00000000) in `/proc/net/route`,
    /// whose addresses are little-endian hex.
    func defaultGateway() -> Found? {
        guard let text = read("/proc/net/route") else { return nil }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count > 2, fields[1] == "00000000", let raw = UInt32(fields[2], radix: 16), raw != 0 else {
                continue
            }
            let bytes = [raw & 0xFF, (raw >> 8) & 0xFF, (raw >> 16) & 0xFF, raw >> 24].map(String.init)
            return Found(address: bytes.joined(separator: "."), origin: "default gateway in /proc/net/route")
        }
        return nil
    }

    /// `KEY=value` lines (systemd-networkd's lease format).
    static func keyValue(_ key: String, in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(key + "=") {
            let value = line.dropFirst(key.count + 1).trimmingWhitespace()
            if IPAddress(value) != nil { return value }
        }
        return nil
    }

    /// `option dhcp-server-identifier A.B.C.D;` of the LAST lease in a dhclient file (dhclient
    /// appends; the last is the newest).
    static func dhclientServer(in text: String) -> String? {
        var found: String?
        for line in text.split(separator: "\n") {
            let words = line.trimmingWhitespace().split(separator: " ")
            guard words.count == 3, words[0] == "option", words[1] == "dhcp-server-identifier" else { continue }
            let value = String(words[2].hasSuffix(";") ? words[2].dropLast() : words[2])
            if IPAddress(value) != nil { found = value }
        }
        return found
    }

    /// Regular files of a guest directory with their text, newest first when asked, else by name.
    private func files(in directory: String, newestFirst: Bool) -> [(path: String, text: String)] {
        guard let hostDirectory = try? root.resolve(directory),
            let names = try? FileManager.default.contentsOfDirectory(atPath: hostDirectory)
        else { return [] }
        let entries = names.sorted().compactMap { name -> (path: String, text: String, modified: Date)? in
            let guest = directory + "/" + name
            guard let host = try? root.resolve(guest),
                let attributes = try? FileManager.default.attributesOfItem(atPath: host),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let text = read(guest)
            else { return nil }
            return (guest, text, attributes[.modificationDate] as? Date ?? .distantPast)
        }
        let ordered = newestFirst ? entries.sorted { $0.modified > $1.modified } : entries
        return ordered.map { ($0.path, $0.text) }
    }

    /// A small text file under the root (leases and the route table are a few KiB).
    private func read(_ guestPath: String) -> String? {
        guard let host = try? root.resolve(guestPath), let data = PlainFileIO.readPrefix(ofFile: host, maxBytes: 65536)
        else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
