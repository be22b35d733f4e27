import AgentBase
import FoundationEssentials

/// The EC2 instance metadata service (`http://169.254.169.254/latest/...`).
///
/// Reads only what the plugins need (`needs`), concurrently, in at most three round trips
/// after the token PUT (docs/PROTOCOLS.md §3.4):
/// 1. the identity document, `local-hostname`, the `public-keys/` listing with key 0, and
///    when needed the MAC listing and user data;
/// 2. the other listed keys, and per MAC its listing with `local-ipv4s`;
/// 3. only the interface leaves the MAC listings show and the network model uses.
/// On EC2 with 2 ENIs and 2 keys that is 12 requests with every plugin (token included).
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
        let reader = IMDSTextReader(session: session, maxBytes: limits.jsonBytes)
        let network = EC2InterfaceReader(reader: reader)
        let wantsNetwork = needs.contains(.network)
        async let identity = EC2Identity.read(reader, wantsMAC: wantsNetwork)
        async let hostname = reader.trimmed("latest/meta-data/local-hostname")
        async let keys = EC2PublicKeyReader(reader: reader).read()
        async let interfaces = wantsNetwork ? network.read() : []
        // Optional: user data that cannot be read fails the userdata plugin, not the source.
        async let userData =
            needs.contains(.userData)
            ? OptionalDocument.read(
                "user data", { try await session.get("latest/user-data", maxBytes: limits.userDataBytes) })
            : .absent

        let instance = try await identity
        var loaded = try await interfaces
        var primaryMAC = Self.primaryMAC(of: instance, in: loaded)
        if primaryMAC == nil && loaded.count > 1 {
            // Neither an identity document nor `mac` (an IMDS clone): device 0 is the primary.
            loaded = try await network.withDeviceNumbers(loaded)
            primaryMAC = loaded.first { $0.deviceNumber == 0 }?.mac
        }
        let primary = loaded.first { $0.mac == primaryMAC } ?? loaded.first
        let ordered = Self.primaryFirst(loaded, primary: primary?.mac)
        let (publicKeys, keyNotes) = try await keys
        var metadata = InstanceMetadata(
            sourceID: id, instanceID: instance.instanceID, hostname: try await hostname,
            publicKeys: publicKeys, refusedKeys: keyNotes, availabilityZone: instance.availabilityZone,
            network: ordered.isEmpty ? nil : EC2NetworkConverter.describe(ordered, primaryMAC: primary?.mac),
            ec2Network: EC2NetworkInfo(
                primaryMAC: primary?.mac, localIPv4: instance.privateIPv4 ?? primary?.localIPv4s.first,
                interfaces: ordered),
            passwordPublication: .ec2Console)
        metadata.userDataDocument = try await userData
        return metadata
    }

    /// The ENI holding the identity document's `privateIp`, else the one `mac` names.
    static func primaryMAC(of identity: EC2Identity, in interfaces: [EC2Interface]) -> String? {
        if let address = identity.privateIPv4, let owner = interfaces.first(where: { $0.localIPv4s.contains(address) })
        {
            return owner.mac
        }
        guard let mac = identity.primaryMAC?.lowercased() else { return nil }
        return interfaces.first { $0.mac.lowercased() == mac }?.mac
    }

    /// The primary first, then by device number (when read) and MAC.
    static func primaryFirst(_ interfaces: [EC2Interface], primary: String?) -> [EC2Interface] {
        interfaces.sorted {
            ($0.mac == primary ? 0 : 1, $0.deviceNumber ?? Int.max, $0.mac)
                < ($1.mac == primary ? 0 : 1, $1.deviceNumber ?? Int.max, $1.mac)
        }
    }
}
