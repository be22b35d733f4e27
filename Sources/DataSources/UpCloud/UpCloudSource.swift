import AgentBase
import FoundationEssentials

/// UpCloud servers: one JSON document, `http://169.254.169.254/metadata/v1.json` (the path
/// DigitalOcean uses too; docs/PROTOCOLS.md, UpCloud), read only when DMI `sys_vendor` is
/// `UpCloud`.
public struct UpCloudSource: DataSource {
    public let id = "upcloud"
    public let isLocal = false
    public let root: SystemRoot
    public let baseURL: URL
    public let limits: DocumentLimits
    let reader: CloudDocumentReader

    /// cloud-init's `read_sysinfo` (helpers/upcloud.py) checks this one string.
    public static let signals = [DMISignal("sys_vendor", .equals("UpCloud"))]
    public static let defaultBaseURL = URL(string: "http://169.254.169.254/")!

    public init(
        root: SystemRoot, client: MetadataHTTPClient, baseURL: URL = defaultBaseURL, limits: DocumentLimits = .standard
    ) {
        self.root = root
        self.baseURL = baseURL
        self.limits = limits
        self.reader = CloudDocumentReader(client: client)
    }

    /// Nil, with no request at all, when DMI does not say UpCloud; else the server described
    /// by `v1.json`, or a named error when that document is missing or malformed.
    public func load() async throws -> InstanceMetadata? {
        guard DMISignal.first(of: Self.signals, under: root) != nil else { return nil }
        let url = baseURL.appending(relativePath: "metadata/v1.json")
        let object = try await reader.jsonObject(url, maxBytes: limits.jsonBytes + limits.userDataBytes)
        // The SMBIOS UUID is the server's: cloud-init's instance id when the document has none.
        let uuid = DMISignal.read("product_uuid", under: root)
        return try UpCloudDocument(object, location: url.absoluteString, uuid: uuid).metadata(sourceID: id)
    }
}
