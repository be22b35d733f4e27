import AgentBase
import FoundationEssentials

/// Oracle Cloud Infrastructure: the instance document `GET /opc/v2/instance/` and the VNIC
/// list `GET /opc/v2/vnics/`, both with `Authorization: Bearer Oracle` (docs/PROTOCOLS.md,
/// Oracle), read only when the DMI chassis asset tag is `OracleCloud.com`. The network is the
/// primary VNIC by DHCP with OCI's MTU, as cloud-init configures it by default
/// (`OracleNetwork`); secondary VNICs are left alone, as cloud-init leaves them by default.
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
        async let network = network()
        let object = try await reader.jsonObject(url, maxBytes: limits.jsonBytes + limits.userDataBytes)
        var metadata = try OracleDocument(object, location: url.absoluteString).metadata(sourceID: id)
        metadata.network = await network
        return metadata
    }

    /// The primary VNIC's network from `vnics/`: nil when the server has no such document
    /// (404) or lists no VNIC. Any other failure is `.invalid`, naming the URL: only the
    /// network plugin fails, and the image's own configuration stays (cloud-init logs it and
    /// falls back to DHCP on the first NIC, which the image's configuration does too).
    private func network() async -> NetworkDescription? {
        let url = baseURL.appending(relativePath: "vnics/")
        let location = url.absoluteString
        do {
            guard let data = try await reader.optional(url, maxBytes: limits.jsonBytes) else { return nil }
            return OracleNetwork.description(
                vnics: try JSONValue.parse(data), location: location, names: SystemInterfaceNames.byMAC(under: root))
        } catch {
            return .invalid(NetworkConfigError(location, field: "", CloudJSON.describe(error)))
        }
    }
}
