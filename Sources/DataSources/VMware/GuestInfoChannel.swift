import AgentBase
import FoundationEssentials

/// The VMware hypervisor's guestinfo keys, as the image's own `vmware-rpctool` (or
/// `vmtoolsd`) reads them, and the zlib that inflates a `gzip+base64` value.
///
/// Why a protocol here and its implementation in Plugins: DataSources reads only; it runs
/// no program and links no zlib (docs/ARCHITECTURE.md, the layers). The Plugins layer gives
/// `AgentConfig.dataSourceSettings` a channel over its CommandRunner and GzipDecoder.
public protocol GuestInfoChannel: Sendable {
    /// Whether the image under the root has a tool to ask the hypervisor with; without one
    /// the VMware source is absent and nothing is run.
    var isAvailable: Bool { get }

    /// The value of `guestinfo.<key>` (`metadata`, `userdata.encoding`): nil when the
    /// hypervisor has none ("No value found"); a `DataSourceError` naming the key when the
    /// tool fails, times out or prints more than the cap.
    func value(of key: String) async throws -> String?

    /// `data` gunzipped, at most `maxBytes` of it; a `DataSourceError` naming `location` for
    /// a corrupt stream or one that inflates past the cap.
    func gunzip(_ data: Data, maxBytes: Int, location: String) throws -> Data
}

/// A `GuestInfoChannel` in `DataSourceSettings`, which is compared as a value (tests compare
/// settings): two are equal when they read the same root the same way (`label`).
public struct GuestInfoAccess: Sendable, Equatable {
    public let channel: any GuestInfoChannel
    /// What the channel is (`vmware-rpctool under /mnt/image`).
    public let label: String

    public init(channel: any GuestInfoChannel, label: String) {
        self.channel = channel
        self.label = label
    }

    public static func == (lhs: GuestInfoAccess, rhs: GuestInfoAccess) -> Bool { lhs.label == rhs.label }
}
