import AgentBase
import FoundationEssentials

/// Oracle Cloud Infrastructure: the instance document `GET /opc/v2/instance/` with
/// `Authorization: Bearer Oracle` (docs/PROTOCOLS.md, Oracle), read only when the DMI chassis
/// asset tag is `OracleCloud.com`. The network is left to the image: OCI's primary VNIC is
/// configured by DHCP, and cloud-init configures no secondary VNIC by default either.
public struct OracleSource: DataSource {
    public let id = "oracle"
    public let isLocal = false
    public let root: SystemRoot
    public let baseURL: URL
    public let limits: DocumentLimits
    let reader: CloudDocumentReader

    /// cloud-init's `_is_platform_viable` (DataSourceOracle.py): bare metal and virtual
    /// machines both carry this tag.
    public static let signals = [DMISignal("chassis_asset_tag", .equals("OracleCloud.com"))]
    public static let defaultBaseURL = URL(string: "http://169.254.169.254/opc/v2/")!
    /// The v2 endpoints refuse a request without it (v1 needed none).
    public static let headers = ["Authorization": "Bearer Oracle"]

    public init(
        root: SystemRoot, client: MetadataHTTPClient, baseURL: URL = defaultBaseURL, limits: DocumentLimits = .standard
    ) {
        self.root = root
        self.baseURL = baseURL
        self.limits = limits
        self.reader = CloudDocumentReader(client: client, headers: Self.headers)
    }

    /// Nil, with no request at all, without the chassis asset tag; else the instance the
    /// document describes, or a named error.
    public func load() async throws -> InstanceMetadata? {
        guard DMISignal.first(of: Self.signals, under: root) != nil else { return nil }
        // The trailing slash is the form cloud-init and OCI's documentation use.
        let url = baseURL.appending(relativePath: "instance/")
        let object = try await reader.jsonObject(url, maxBytes: limits.jsonBytes + limits.userDataBytes)
        return try OracleDocument(object, location: url.absoluteString).metadata(sourceID: id)
    }
}
