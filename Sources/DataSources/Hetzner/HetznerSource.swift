import AgentBase
import FoundationEssentials

/// Hetzner Cloud servers: `http://169.254.169.254/hetzner/v1/metadata` (YAML, with a
/// cloud-init network config version 1), `.../metadata/private-networks` (YAML) and
/// `.../userdata` (docs/PROTOCOLS.md, Hetzner),
/// read only when DMI `sys_vendor` is `Hetzner`.
public struct HetznerSource: DataSource {
    public let id = "hetzner"
    public let isLocal = false
    public let root: SystemRoot
    public let baseURL: URL
    public let limits: DocumentLimits
    let reader: CloudDocumentReader

    /// cloud-init's `get_hcloud_data` (DataSourceHetzner.py) checks this one string.
    public static let signals = [DMISignal("sys_vendor", .equals("Hetzner"))]
    public static let defaultBaseURL = URL(string: "http://169.254.169.254/hetzner/v1/")!

    public init(
        root: SystemRoot, client: MetadataHTTPClient, baseURL: URL = defaultBaseURL, limits: DocumentLimits = .standard
    ) {
        self.root = root
        self.baseURL = baseURL
        self.limits = limits
        self.reader = CloudDocumentReader(client: client)
    }

    /// Nil, with no request at all, when DMI does not say Hetzner; else the server the
    /// metadata describes, or a named error (the metadata missing or not YAML, its
    /// `instance-id` not the DMI serial).
    public func load() async throws -> InstanceMetadata? {
        guard DMISignal.first(of: Self.signals, under: root) != nil else { return nil }
        let (reader, limits) = (reader, limits)
        let metadataURL = baseURL.appending(relativePath: "metadata")
        let userDataURL = baseURL.appending(relativePath: "userdata")
        // Read beside the metadata: three round trips become one. A failure costs only the user
        // data (the userdata plugin names it), never the host name and keys.
        async let userData = OptionalDocument.read("user data") {
            Self.decodedUserData(try await reader.optional(userDataURL, maxBytes: limits.userDataBytes))
        }
        // Served on every server ("[]" without private networks); a 404 counts as none.
        let privateURL = baseURL.appending(relativePath: "metadata/private-networks")
        async let privateNetworks = reader.optional(privateURL, maxBytes: limits.jsonBytes)
        let metadata = try await reader.required(metadataURL, maxBytes: limits.jsonBytes)
        let attachments = try await privateNetworks.map {
            try HetznerPrivateNetworks($0, location: privateURL.absoluteString)
        }
        let document = try HetznerDocument(
            metadata, location: metadataURL.absoluteString, privateNetworks: attachments)
        // cloud-init refuses a metadata document that is not this machine's (a cached or
        // misrouted answer): the SMBIOS serial is the server id.
        if let serial = DMISignal.read("product_serial", under: root), serial != document.instanceID {
            let given = TextPreview.line(document.instanceID, limit: 40)
            let expected = TextPreview.line(serial, limit: 40)
            throw DataSourceError.malformedDocument(
                location: metadataURL.absoluteString,
                reason: "instance-id '\(given)' is not the DMI serial '\(expected)'")
        }
        return document.metadata(sourceID: id, userData: try await userData)
    }

    /// Hetzner's user data may come base64-encoded: cloud-init's `maybe_b64decode` decodes
    /// it when the whole body is strict base64 and keeps it as it is otherwise (a
    /// `#cloud-config` or `#!` script never is base64: `#` is not in its alphabet).
    static func decodedUserData(_ data: Data?) -> Data? {
        guard let data, !data.isEmpty else { return nil }
        return Data(base64Encoded: data) ?? data
    }
}
