import AgentBase
import FoundationEssentials

/// Akamai Connected Cloud (Linode): `PUT /v1/token`, then `/v1/instance`, `/v1/ssh-keys` and
/// `/v1/user-data` with that token, at `http://169.254.169.254/` (docs/PROTOCOLS.md, Akamai),
/// read only when DMI `sys_vendor` is `Linode` or `Akamai`.
public struct AkamaiSource: DataSource {
    public let id = "akamai"
    public let isLocal = false
    public let root: SystemRoot
    public let baseURL: URL
    public let limits: DocumentLimits
    let client: MetadataHTTPClient

    /// cloud-init's `is_on_akamai` (helpers/akamai.py).
    public static let signals = [
        DMISignal("sys_vendor", .equals("Linode")), DMISignal("sys_vendor", .equals("Akamai")),
    ]
    public static let defaultBaseURL = URL(string: "http://169.254.169.254/v1/")!
    /// The token's life asked for, seconds: cloud-init's and afterburn's value.
    static let tokenSeconds = "300"

    public init(
        root: SystemRoot, client: MetadataHTTPClient, baseURL: URL = defaultBaseURL, limits: DocumentLimits = .standard
    ) {
        self.root = root
        self.client = client
        self.baseURL = baseURL
        self.limits = limits
    }

    /// Nil, with no request at all, when DMI does not say Linode or Akamai; else the
    /// instance, or a named error (no token, the instance document missing or malformed).
    public func load() async throws -> InstanceMetadata? {
        guard DMISignal.first(of: Self.signals, under: root) != nil else { return nil }
        let reader = CloudDocumentReader(client: client, headers: ["Metadata-Token": try await token()])
        let (base, limits) = (baseURL, limits)
        let instanceURL = base.appending(relativePath: "instance")
        let keysURL = base.appending(relativePath: "ssh-keys")
        async let keys = reader.optional(keysURL, maxBytes: limits.jsonBytes)
        // A failure costs only the user data (the userdata plugin names it).
        async let userData = OptionalDocument.read("user data") {
            AkamaiDocument.decodedUserData(
                try await reader.optional(base.appending(relativePath: "user-data"), maxBytes: limits.userDataBytes))
        }
        let instance = try await reader.jsonObject(instanceURL, maxBytes: limits.jsonBytes)
        var document = try AkamaiDocument(
            instance: instance, location: instanceURL.absoluteString,
            serial: DMISignal.read("product_serial", under: root))
        if let keys = try await keys {
            try document.readKeys(CloudJSON.object(keys, location: keysURL.absoluteString))
        }
        return document.metadata(sourceID: id, userData: try await userData)
    }

    /// A session token: `PUT /v1/token` with `Metadata-Token-Expiry-Seconds`; its body is the
    /// token. Any answer but 200 is an error naming the URL.
    func token() async throws -> String {
        let url = baseURL.appending(relativePath: "token")
        let request = HTTPRequestSpec(
            method: "PUT", url: url, headers: ["Metadata-Token-Expiry-Seconds": Self.tokenSeconds])
        let reply = try await client.send(request, maxBytes: 4096)
        guard reply.status == 200 else {
            throw DataSourceError.httpStatus(url: url.absoluteString, status: reply.status)
        }
        guard let token = String(data: reply.body, encoding: .utf8)?.trimmingWhitespaceAndNewlines(), !token.isEmpty,
            !token.contains(where: { $0.isNewline || $0 == "\r" })
        else {
            throw DataSourceError.malformedDocument(location: url.absoluteString, reason: "no usable token in the body")
        }
        return token
    }
}
