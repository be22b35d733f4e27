import AgentBase
import FoundationEssentials

/// SlapOS KVM instances with `enable-http-server` (docs/PROTOCOLS.md, SlapOS): QEMU's user
/// network forwards `10.0.2.100:80` to a web server on the host (`guestfwd=tcp:10.0.2.100:80-cmd:`
/// in SlapOS/slapos `software/kvm/template/template-kvm-run.py`), which serves the files of
/// `SlapOSFiles`.
///
/// Opt-in only: nothing on the platform tells a guest it runs on SlapOS (no DMI string, no
/// drive), and 10.0.2.100 is a private address anyone's network may use, so the source is
/// never in the default `metadata_services` and is asked only when listed there.
public struct SlapOSSource: DataSource {
    public let id = "slapos"
    public let isLocal = false
    public let baseURL: URL
    public let client: MetadataHTTPClient
    public let limits: DocumentLimits

    /// The address QEMU's user network forwards to the host's server (SlapOS's README).
    public static let defaultBaseURL = URL(string: "http://10.0.2.100/")!
    /// Every file but the script is a line or a few keys.
    static let smallFileBytes = 64 * 1024

    public init(client: MetadataHTTPClient, baseURL: URL = defaultBaseURL, limits: DocumentLimits = .standard) {
        self.client = client
        self.baseURL = baseURL
        self.limits = limits
    }

    /// Nil when the server at the address serves neither `hostname` nor `data` (not SlapOS's);
    /// else the instance, or the named error of the request that failed.
    public func load() async throws -> InstanceMetadata? {
        let files = try await read()
        guard files.isPresent else { return nil }
        return try files.metadata(sourceID: id, location: baseURL.absoluteString)
    }

    /// The four files, each nil on 404. `authorized_key` is asked only when `authorized_keys`
    /// is absent: the name SlapOS's 2015 documentation gave the same file.
    func read() async throws -> SlapOSFiles {
        let hostname = try await get("hostname", maxBytes: Self.smallFileBytes)
        var keys = try await get("authorized_keys", maxBytes: Self.smallFileBytes)
        if keys == nil { keys = try await get("authorized_key", maxBytes: Self.smallFileBytes) }
        return SlapOSFiles(
            hostname: hostname, authorizedKeys: keys,
            data: try await get("data", maxBytes: limits.userDataBytes),
            bootstrapScript: try await get("vm-bootstrap", maxBytes: limits.userDataBytes))
    }

    private func get(_ name: String, maxBytes: Int) async throws -> Data? {
        try await client.getIfPresent(baseURL.appending(relativePath: name), maxBytes: maxBytes)
    }
}
