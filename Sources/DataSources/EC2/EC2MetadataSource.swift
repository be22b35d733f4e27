import Foundation

/// The EC2 instance metadata service (`http://169.254.169.254/latest/...`).
///
/// Reads only what the plugins need (`needs`), concurrently, in three round trips: the
/// token PUT; instance-id, local-hostname, public-keys/ with the first key (present on
/// nearly every instance), availability zone, and when needed the interface MACs and
/// user-data together; then the other keys and each interface's details together.
public struct EC2MetadataSource: DataSource {
    public let id = "ec2"
    public let isLocal = false
    public let baseURL: URL
    public let client: MetadataHTTPClient
    public let limits: DocumentLimits
    public let tokenPutTimeout: Double
    /// What to fetch beyond identity, host name and keys.
    public let needs: MetadataNeeds

    public init(
        baseURL: URL, client: MetadataHTTPClient, limits: DocumentLimits = .standard, tokenPutTimeout: Double = 1,
        needs: MetadataNeeds = .all
    ) {
        self.baseURL = baseURL
        self.client = client
        self.limits = limits
        self.tokenPutTimeout = tokenPutTimeout
        self.needs = needs
    }

    public func load() async throws -> InstanceMetadata? {
        let session = IMDSSession(baseURL: baseURL, client: client, putTimeout: tokenPutTimeout)
        let limit = limits.jsonBytes
        let meta = "latest/meta-data/"
        async let instanceID = text(session, meta + "instance-id", limit)
        async let hostname = text(session, meta + "local-hostname", limit)
        async let keys = publicKeys(session, listingPath: meta + "public-keys/")
        async let zone = text(session, meta + "placement/availability-zone", limit)
        async let interfaces =
            needs.contains(.network) ? interfaces(session, listingPath: meta + "network/interfaces/macs/") : []
        async let userData =
            needs.contains(.userData) ? session.get("latest/user-data", maxBytes: limits.userDataBytes) : nil

        guard let instance = try await instanceID?.trimmingCharacters(in: .whitespacesAndNewlines), !instance.isEmpty
        else {
            throw DataSourceError.missingField(location: session.url(meta).absoluteString, field: "instance-id")
        }
        let loadedInterfaces = try await interfaces
        let primary = loadedInterfaces.first { $0.deviceNumber == 0 } ?? loadedInterfaces.first
        return InstanceMetadata(
            sourceID: id, instanceID: instance,
            hostname: try await hostname?.trimmingCharacters(in: .whitespacesAndNewlines),
            publicKeys: try await keys, availabilityZone: try await zone, userData: try await userData,
            network: loadedInterfaces.isEmpty ? nil : EC2NetworkConverter.describe(loadedInterfaces),
            ec2Network: EC2NetworkInfo(
                primaryMAC: primary?.mac, localIPv4: primary?.localIPv4s.first, interfaces: loadedInterfaces),
            passwordPublication: .ec2Console)
    }

    private func text(_ session: IMDSSession, _ path: String, _ maxBytes: Int) async throws -> String? {
        guard let data = try await session.get(path, maxBytes: maxBytes) else { return nil }
        return try HTTPReply(status: 200, body: data).text(from: session.url(path))
    }

    /// The key listing together with key 0 (a guess that saves a round trip on nearly every
    /// instance), then every other listed key at once.
    private func publicKeys(_ session: IMDSSession, listingPath: String) async throws -> [PublicKeyEntry] {
        async let listing = text(session, listingPath, limits.jsonBytes)
        async let firstKey = text(session, Self.keyPath(0), limits.jsonBytes)
        let entries = EC2Listing.publicKeys(try await listing ?? "")
        let prefetched = entries.contains { $0.index == 0 } ? try await firstKey : nil
        return try await withThrowingTaskGroup(of: (Int, PublicKeyEntry?).self) { group in
            for (position, entry) in entries.enumerated() {
                group.addTask {
                    let line =
                        entry.index == 0
                        ? prefetched : try await text(session, Self.keyPath(entry.index), limits.jsonBytes)
                    return (position, line.map { PublicKeyEntry(name: entry.name, line: $0) })
                }
            }
            var found: [(Int, PublicKeyEntry)] = []
            for try await (position, key) in group { if let key { found.append((position, key)) } }
            return found.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The MAC listing, then every interface's details at once.
    private func interfaces(_ session: IMDSSession, listingPath: String) async throws -> [EC2Interface] {
        let macs = EC2Listing.macs(try await text(session, listingPath, limits.jsonBytes) ?? "")
        return try await withThrowingTaskGroup(of: EC2Interface.self) { group in
            for mac in macs {
                group.addTask {
                    let base = "latest/meta-data/network/interfaces/macs/\(mac)/"
                    async let number = text(session, base + "device-number", limits.jsonBytes)
                    async let ips = text(session, base + "local-ipv4s", limits.jsonBytes)
                    async let cidr = text(session, base + "subnet-ipv4-cidr-block", limits.jsonBytes)
                    // IPv6: both answer 404 on an ENI without IPv6, in the same round trip.
                    async let ipv6s = text(session, base + "ipv6s", limits.jsonBytes)
                    async let ipv6CIDRs = text(session, base + "subnet-ipv6-cidr-blocks", limits.jsonBytes)
                    return EC2Interface(
                        mac: mac,
                        deviceNumber: try await number.flatMap {
                            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
                        },
                        localIPv4s: EC2Listing.lines(try await ips ?? ""),
                        subnetIPv4CIDR: try await cidr?.trimmingCharacters(in: .whitespacesAndNewlines),
                        ipv6s: EC2Listing.lines(try await ipv6s ?? ""),
                        subnetIPv6CIDRs: EC2Listing.lines(try await ipv6CIDRs ?? ""))
                }
            }
            var result: [EC2Interface] = []
            for try await interface in group { result.append(interface) }
            return result.sorted { ($0.deviceNumber ?? Int.max, $0.mac) < ($1.deviceNumber ?? Int.max, $1.mac) }
        }
    }

    private static func keyPath(_ index: Int) -> String {
        "latest/meta-data/public-keys/\(index)/openssh-key"
    }
}
