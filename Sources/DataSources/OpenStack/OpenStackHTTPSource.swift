import AgentBase
import FoundationEssentials

/// The OpenStack nova metadata HTTP API (`http://169.254.169.254/openstack/...`).
public struct OpenStackHTTPSource: DataSource {
    public let id = "openstack"
    public let isLocal = false
    public let baseURL: URL
    public let client: MetadataHTTPClient
    public let limits: DocumentLimits
    /// What to fetch beyond meta_data.json.
    public let needs: MetadataNeeds

    public init(
        baseURL: URL, client: MetadataHTTPClient, limits: DocumentLimits = .standard, needs: MetadataNeeds = .all
    ) {
        self.baseURL = baseURL
        self.client = client
        self.limits = limits
        self.needs = needs
    }

    /// Reads the tree over HTTP. Throws (named) when nothing answers or documents are
    /// broken; the password endpoint is offered when the chosen version has one.
    public func load() async throws -> InstanceMetadata? {
        let tree = HTTPOpenStackTree(openstackURL: baseURL.appendingPathComponent("openstack"), client: client)
        let loader = OpenStackLoader(tree: tree, limits: limits, sourceID: id, needs: needs)
        let client = client
        return try await loader.load(
            passwordEndpoint: { version in .novaPasswordEndpoint(tree.url(of: "\(version)/password")) },
            // One GET beside the documents, no retry: a failure only means the password
            // plugin asks again when it runs (with retries), as it did before.
            readPassword: { version in
                try? await NovaPasswordEndpoint(url: tree.url(of: "\(version)/password"), http: client).current(
                    retries: 0)
            })
    }
}

/// `OpenStackTree` over HTTP: 404 is "absent", other failures are named errors.
struct HTTPOpenStackTree: OpenStackTree {
    let openstackURL: URL
    let client: MetadataHTTPClient

    func url(of relativePath: String) -> URL {
        openstackURL.appending(relativePath: relativePath)
    }

    func read(_ relativePath: String, maxBytes: Int) async throws -> Data? {
        try await client.getIfPresent(url(of: relativePath), maxBytes: maxBytes)
    }

    func versionListing(maxBytes: Int) async throws -> String? {
        guard let data = try await client.getIfPresent(openstackURL, maxBytes: maxBytes) else { return nil }
        return try HTTPReply(status: 200, body: data).text(from: openstackURL)
    }

    func location(of relativePath: String) -> String {
        url(of: relativePath).absoluteString
    }
}
