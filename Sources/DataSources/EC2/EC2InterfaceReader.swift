import FoundationEssentials

/// The ENIs, in at most three rounds and without probing for leaves that are not there:
///
/// 1. `network/interfaces/macs/` (one directory per ENI);
/// 2. per MAC at once: its directory listing (which names exactly the leaves that exist:
///    `ipv6s` only on an ENI with IPv6) and `local-ipv4s` (on every ENI with IPv4);
/// 3. per MAC, only the listed leaves the network model uses: `subnet-ipv4-cidr-block`
///    when there are secondary addresses to place in it, `ipv6s` and
///    `subnet-ipv6-cidr-blocks` when listed.
///
/// `device-number` is not read: the primary ENI is the one holding the identity document's
/// `privateIp` (or named by `mac`). Only on a service with neither does `withDeviceNumbers`
/// cost one more round.
///
/// An ENI with one address and no IPv6 thus costs two requests. A MAC directory answered
/// 404 (a clone without listings) is probed leaf by leaf instead. A MAC listed twice is read
/// once, and past `EC2Listing.maximumInterfaces` MACs the rest are ignored with a warning
/// (issue 29: a listing must not fan out into thousands of requests).
struct EC2InterfaceReader: Sendable {
    static let macsPath = "latest/meta-data/network/interfaces/macs/"

    let reader: IMDSTextReader

    /// Every listed ENI, sorted by MAC (the caller orders by primary).
    func read() async throws -> [EC2Interface] {
        let listed = EC2Listing.macs(try await reader.text(Self.macsPath) ?? "")
        let macs = listed.prefix(EC2Listing.maximumInterfaces)
        if listed.count > macs.count {
            reader.session.client.logger.warning(
                "too many network interfaces listed; the others are ignored",
                metadata: [
                    "url": "\(reader.session.url(Self.macsPath))", "listed": "\(listed.count)",
                    "read": "\(macs.count)",
                ])
        }
        return try await withThrowingTaskGroup(of: EC2Interface.self) { group in
            for mac in macs {
                group.addTask { try await interface(mac) }
            }
            var result: [EC2Interface] = []
            for try await interface in group { result.append(interface) }
            return result.sorted { $0.mac < $1.mac }
        }
    }

    /// `interfaces` with their `device-number`s, read all at once.
    func withDeviceNumbers(_ interfaces: [EC2Interface]) async throws -> [EC2Interface] {
        let reader = reader
        return try await withThrowingTaskGroup(of: EC2Interface.self) { group in
            for interface in interfaces {
                group.addTask {
                    var numbered = interface
                    numbered.deviceNumber = try await reader.trimmed(Self.macsPath + interface.mac + "/device-number")
                        .flatMap { Int($0) }
                    return numbered
                }
            }
            var result: [EC2Interface] = []
            for try await interface in group { result.append(interface) }
            return result.sorted { $0.mac < $1.mac }
        }
    }

    private func interface(_ mac: String) async throws -> EC2Interface {
        let base = Self.macsPath + mac + "/"
        async let listing = reader.lines(base)
        async let ipv4s = reader.lines(base + "local-ipv4s")
        let leaves = try await listing.map(Set.init)
        let addresses = try await ipv4s ?? []
        let reader = reader
        /// `name` when `wanted` and listed (or when there is no listing to ask).
        @Sendable func leaf(_ name: String, if wanted: Bool) async throws -> String? {
            guard wanted, leaves?.contains(name) ?? true else { return nil }
            return try await reader.text(base + name)
        }
        async let cidr = leaf("subnet-ipv4-cidr-block", if: addresses.count > 1)
        async let ipv6s = leaf("ipv6s", if: true)
        async let ipv6CIDRs = leaf("subnet-ipv6-cidr-blocks", if: leaves?.contains("ipv6s") ?? true)
        return EC2Interface(
            mac: mac,
            deviceNumber: nil,
            localIPv4s: addresses,
            subnetIPv4CIDR: try await cidr?.trimmingWhitespaceAndNewlines(),
            ipv6s: EC2Listing.lines(try await ipv6s ?? ""),
            subnetIPv6CIDRs: EC2Listing.lines(try await ipv6CIDRs ?? ""))
    }
}
