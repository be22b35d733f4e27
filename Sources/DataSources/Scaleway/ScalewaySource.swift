import AgentBase
import FoundationEssentials

/// Scaleway instances: `GET http://169.254.42.42/conf?format=json`, then the user and vendor
/// data at `/user_data/cloud-init` and `/vendor_data/cloud-init` asked from a source port
/// below 1024 (the service's proof that the client is root), and the boot check-in
/// `PATCH /state` (docs/PROTOCOLS.md, Scaleway); read only when DMI `sys_vendor` is `Scaleway`.
/// The network is the guest's fallback NIC by DHCP plus the document's static IPv6
/// (`ScalewayNetwork`), as cloud-init 22.4.2 configures it.
public struct ScalewaySource: DataSource {
    public let id = "scaleway"
    public let isLocal = false
    public let root: SystemRoot
    public let baseURL: URL
    public let limits: DocumentLimits
    let client: MetadataHTTPClient

    /// cloud-init's `ds_detect` (`system-manufacturer`, i.e. `sys_vendor`).
    public static let signals = [DMISignal("sys_vendor", .equals("Scaleway"))]
    /// cloud-init's and afterburn's IPv4 address (cloud-init also tries `[fd00:42::42]`).
    public static let defaultBaseURL = URL(string: "http://169.254.42.42/")!
    /// afterburn's `boot_checkin` body.
    static let bootedState = Data(#"{"state_detail":"booted"}"#.utf8)

    public init(
        root: SystemRoot, client: MetadataHTTPClient, baseURL: URL = defaultBaseURL, limits: DocumentLimits = .standard
    ) {
        self.root = root
        self.client = client
        self.baseURL = baseURL
        self.limits = limits
    }

    /// Nil, with no request at all, when DMI does not say Scaleway; else the instance with
    /// its boot check-in, or a named error (the conf document missing, malformed, no `id`).
    public func load() async throws -> InstanceMetadata? {
        guard DMISignal.first(of: Self.signals, under: root) != nil else { return nil }
        let confURL = URL(string: baseURL.absoluteString + "conf?format=json")!
        let reader = CloudDocumentReader(client: client)
        let conf = try await reader.jsonObject(confURL, maxBytes: limits.jsonBytes)
        let document = try ScalewayDocument(conf, location: confURL.absoluteString)
        // A failure costs only that document (the userdata plugin names it).
        let userData = try await OptionalDocument.read("user data") {
            try await privileged(baseURL.appending(relativePath: "user_data/cloud-init"))
        }
        let vendorData = try await OptionalDocument.read("vendor data") {
            try await privileged(baseURL.appending(relativePath: "vendor_data/cloud-init"))
        }
        var metadata = InstanceMetadata(
            sourceID: id, instanceID: document.instanceID, hostname: document.hostname,
            publicKeys: document.publicKeys, refusedKeys: document.refusedKeys, availabilityZone: document.zone)
        metadata.network = ScalewayNetwork.description(conf: conf, nic: FallbackNIC.find(under: root))
        metadata.userDataDocument = userData
        // Vendor data is a cloud-config or MIME document (cloud-init's vendordata_raw).
        metadata.vendorUserDataDocument = vendorData
        metadata.bootCheckIn = BootCheckIn(
            method: "PATCH", url: baseURL.appending(relativePath: "state"), body: Self.bootedState)
        return metadata
    }

    /// A GET from a reserved source port: the body, nil on 404 (no user data, as cloud-init's
    /// `query_data_api_once` reads it), an error naming the URL for any other status.
    func privileged(_ url: URL) async throws -> Data? {
        let request = HTTPRequestSpec(url: url, reservedSourcePort: true)
        return try await client.send(request, maxBytes: limits.userDataBytes).bodyIfPresent(from: url)
    }
}
