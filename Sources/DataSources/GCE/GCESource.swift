import AgentBase
import FoundationEssentials

/// Google Compute Engine: `http://169.254.169.254/computeMetadata/v1/` with
/// `Metadata-Flavor: Google` on every request (docs/PROTOCOLS.md, GCE), read only when DMI
/// says Google. The five documents cloud-init's DataSourceGCE reads, read together:
/// `instance/id`, `instance/zone`, `instance/hostname` (text) and the instance's and the
/// project's attributes (`attributes/?recursive=true`, one JSON object each), which also
/// give the `startup-script` the `startup_script` plugin runs at every boot.
public struct GCESource: DataSource {
    public let id = "gce"
    public let isLocal = false
    public let root: SystemRoot
    public let baseURL: URL
    public let limits: DocumentLimits
    let reader: CloudDocumentReader
    /// Seconds since the epoch, for the expiry of `google-ssh` keys (tests fix it).
    let now: @Sendable () -> Int

    /// cloud-init's `platform_reports_gce`: the product name, else the serial's prefix.
    public static let signals = [
        DMISignal("product_name", .equals("Google Compute Engine")), DMISignal("product_name", .equals("Google")),
        DMISignal("product_serial", .hasPrefix("GoogleCloud-")),
    ]
    public static let defaultBaseURL = URL(string: "http://169.254.169.254/computeMetadata/v1/")!
    /// Google's server refuses (403) a request without it: the header proves the request
    /// was meant for the metadata server, not forwarded there by a confused proxy.
    public static let headers = ["Metadata-Flavor": "Google"]

    public init(
        root: SystemRoot, client: MetadataHTTPClient, baseURL: URL = defaultBaseURL, limits: DocumentLimits = .standard,
        now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }
    ) {
        self.root = root
        self.baseURL = baseURL
        self.limits = limits
        self.reader = CloudDocumentReader(client: client, headers: Self.headers)
        self.now = now
    }

    /// Nil, with no request at all, when DMI does not say Google; else the instance, or a
    /// named error when its id or host name is missing or an attributes document is not JSON.
    public func load() async throws -> InstanceMetadata? {
        guard DMISignal.first(of: Self.signals, under: root) != nil else { return nil }
        async let instanceID = text("instance/id")
        async let zone = text("instance/zone")
        async let hostname = text("instance/hostname")
        async let instanceAttributes = attributes("instance/attributes/")
        async let projectAttributes = attributes("project/attributes/")
        let attributesLocation = baseURL.appending(relativePath: "instance/attributes/").absoluteString
        let gce = try await GCEAttributes(
            instance: instanceAttributes, project: projectAttributes, location: attributesLocation, now: now())
        var metadata = InstanceMetadata(
            sourceID: id, instanceID: try await instanceID, hostname: try await hostname,
            publicKeys: gce.publicKeys, refusedKeys: gce.refusedKeys,
            // `projects/123/zones/us-central1-a`: the zone is the last part, as cloud-init keeps it.
            availabilityZone: try await zone.split(separator: "/").last.map(String.init))
        metadata.userDataDocument = gce.userData
        metadata.startupScript = gce.startupScript
        return metadata
    }

    /// A required text document (`instance/id`): trimmed, never empty.
    private func text(_ path: String) async throws -> String {
        let url = baseURL.appending(relativePath: path)
        let data = try await reader.required(url, maxBytes: 4096)
        guard let text = String(data: data, encoding: .utf8)?.trimmingWhitespaceAndNewlines(), !text.isEmpty else {
            throw DataSourceError.malformedDocument(location: url.absoluteString, reason: "empty or not UTF-8")
        }
        return text
    }

    /// One level's attributes as one JSON object (none when the server has none: 404).
    private func attributes(_ path: String) async throws -> [String: JSONValue] {
        // cloud-init's spelling of the query.
        let url = URL(string: baseURL.appending(relativePath: path).absoluteString + "?recursive=True")!
        // user-data is an attribute: the cap must hold it.
        guard let data = try await reader.optional(url, maxBytes: limits.jsonBytes + limits.userDataBytes) else {
            return [:]
        }
        return try CloudJSON.object(data, location: url.absoluteString)
    }
}
