import AgentBase
import FoundationEssentials

/// DigitalOcean droplets: one JSON document, `http://169.254.169.254/metadata/v1.json`
/// (docs/PROTOCOLS.md, DigitalOcean), read only when DMI `sys_vendor` is `DigitalOcean`.
public struct DigitalOceanSource: DataSource {
    public let id = "digitalocean"
    public let isLocal = false
    public let root: SystemRoot
    public let baseURL: URL
    public let limits: DocumentLimits
    let reader: CloudDocumentReader

    /// cloud-init's `read_sysinfo` (helpers/digitalocean.py) checks this one string.
    public static let signals = [DMISignal("sys_vendor", .equals("DigitalOcean"))]
    public static let defaultBaseURL = URL(string: "http://169.254.169.254/")!

    public init(
        root: SystemRoot, client: MetadataHTTPClient, baseURL: URL = defaultBaseURL, limits: DocumentLimits = .standard
    ) {
        self.root = root
        self.baseURL = baseURL
        self.limits = limits
        self.reader = CloudDocumentReader(client: client)
    }

    /// Nil, with no request at all, when DMI does not say DigitalOcean; else the droplet
    /// described by `v1.json`, or a named error when that document is missing or malformed.
    public func load() async throws -> InstanceMetadata? {
        guard DMISignal.first(of: Self.signals, under: root) != nil else { return nil }
        let url = baseURL.appending(relativePath: "metadata/v1.json")
        // user_data travels inside this one document: its cap must hold user data too.
        let object = try await reader.jsonObject(url, maxBytes: limits.jsonBytes + limits.userDataBytes)
        // The SMBIOS serial is the droplet id: cloud-init's fallback when the document has none.
        let serial = DMISignal.read("product_serial", under: root)
        return try DigitalOceanDocument(object, location: url.absoluteString, serial: serial).metadata(sourceID: id)
    }
}
