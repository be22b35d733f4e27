import AgentBase
import FoundationEssentials

/// Vultr instances: one JSON document, `http://169.254.169.254/v1.json` (docs/PROTOCOLS.md,
/// Vultr), read only when DMI `sys_vendor` is `Vultr` or the kernel command line has the
/// word `vultr` (Vultr's bare metal, whose DMI is the hardware maker's).
public struct VultrSource: DataSource {
    public let id = "vultr"
    public let isLocal = false
    public let root: SystemRoot
    public let baseURL: URL
    public let limits: DocumentLimits
    let reader: CloudDocumentReader

    /// cloud-init's `is_vultr` (helpers/vultr.py): this DMI string, or `vultr` on the kernel
    /// command line (`kernelSignalPresent`).
    public static let signals = [DMISignal("sys_vendor", .equals("Vultr"))]
    public static let defaultBaseURL = URL(string: "http://169.254.169.254/")!
    /// What cloud-init sends with its request (helpers/vultr.py `read_metadata`).
    public static let headers = ["Metadata-Token": "cloudinit"]

    public init(
        root: SystemRoot, client: MetadataHTTPClient, baseURL: URL = defaultBaseURL, limits: DocumentLimits = .standard
    ) {
        self.root = root
        self.baseURL = baseURL
        self.limits = limits
        self.reader = CloudDocumentReader(client: client, headers: Self.headers)
    }

    /// Nil, with no request at all, without either signal; else the instance described by
    /// `v1.json`, or a named error when that document is missing or malformed.
    public func load() async throws -> InstanceMetadata? {
        guard DMISignal.first(of: Self.signals, under: root) != nil || Self.kernelSignalPresent(under: root) else {
            return nil
        }
        let url = baseURL.appending(relativePath: "v1.json")
        let object = try await reader.jsonObject(url, maxBytes: limits.jsonBytes + 2 * limits.userDataBytes)
        return try VultrDocument(
            object, location: url.absoluteString, interfaceNames: SystemInterfaceNames.byMAC(under: root)
        ).metadata(sourceID: id)
    }

    /// Whether `/proc/cmdline` under `root` has the word `vultr` (a whole word, as cloud-init's
    /// `"vultr" in util.get_cmdline().split()`).
    static func kernelSignalPresent(under root: SystemRoot) -> Bool {
        guard let path = try? root.resolve("/proc/cmdline"), let data = FileManager.default.contents(atPath: path)
        else { return false }
        return String(decoding: data.prefix(4096), as: UTF8.self).split(whereSeparator: \.isWhitespace).contains(
            "vultr")
    }
}
