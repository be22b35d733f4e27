import AgentBase
import FoundationEssentials

/// A NoCloud seed named on the kernel command line or in the DMI system serial:
/// `ds=nocloud;s=http://10.0.0.2/seed/` or `ds=nocloud-net;seedfrom=file:///srv/seed/`,
/// optionally with `h=` (local-hostname) and `i=` (instance-id), as cloud-init's
/// DataSourceNoCloud reads them. The pairs after `ds=...` are separated by `;`.
struct NoCloudKernelSeed: Sendable, Equatable {
    /// Where the seed files are: `http://`, `https://`, `file://` or an absolute path.
    var seedFrom: String?
    /// `i=`: replaces meta-data's `instance-id`.
    var instanceID: String?
    /// `h=`: replaces meta-data's `local-hostname`.
    var hostname: String?
    /// Where it was found (`/proc/cmdline`, the DMI serial), for messages and `query`.
    var origin: String

    /// The kernel command line file and the DMI serial, guest paths read under the root.
    static let commandLinePath = "/proc/cmdline"
    static let dmiSerialPath = "/sys/class/dmi/id/product_serial"

    /// The first `ds=nocloud` / `ds=nocloud-net` word of the command line, then of the DMI
    /// serial; nil when neither names NoCloud. Unreadable files count as absent: a root
    /// without /proc (an image being prepared) simply has no kernel seed.
    static func find(root: SystemRoot) -> NoCloudKernelSeed? {
        for path in [commandLinePath, dmiSerialPath] {
            guard let hostPath = try? root.resolve(path),
                let data = PlainFileIO.readPrefix(ofFile: hostPath, maxBytes: 64 << 10)
            else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0.isNewline }) {
                if let seed = parse(String(word), origin: path) { return seed }
            }
        }
        return nil
    }

    /// One word: `ds=nocloud` or `ds=nocloud-net`, then `;key=value` pairs. Unknown keys
    /// are ignored (cloud-init ignores them too); nil when the word names another source.
    static func parse(_ word: String, origin: String) -> NoCloudKernelSeed? {
        var parts = word.split(separator: ";", omittingEmptySubsequences: true).map(String.init)
        guard let first = parts.first, first == "ds=nocloud" || first == "ds=nocloud-net" else { return nil }
        parts.removeFirst()
        var seed = NoCloudKernelSeed(origin: origin)
        for part in parts {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let key = part[..<equals]
            let value = String(part[part.index(after: equals)...])
            guard !value.isEmpty else { continue }
            switch key {
            case "s", "seedfrom": seed.seedFrom = value
            case "i", "instance-id": seed.instanceID = value
            case "h", "local-hostname": seed.hostname = value
            default: continue
            }
        }
        return seed
    }

    /// The seed as a URL or a local directory; nil without `s=`.
    var location: NoCloudSeedLocation? { seedFrom.flatMap(NoCloudSeedLocation.init) }
}

/// Where a `seedfrom` points.
enum NoCloudSeedLocation: Sendable, Equatable {
    /// An `http://` or `https://` base; the files are read below it in the network stage.
    case url(URL)
    /// A directory (`file:///path/` or `/path/`), a guest path read under the root.
    case directory(String)

    /// Accepts `http://`, `https://`, `file://` and absolute paths; nil for anything else
    /// (an unknown scheme is not guessed at).
    init?(_ text: String) {
        let lower = text.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            // cloud-init appends the file names to the text as it is, so its documentation
            // asks for a trailing slash; adding the one a user forgot gives what was meant.
            guard let url = URL(string: text.hasSuffix("/") ? text : text + "/"), url.host != nil else { return nil }
            self = .url(url)
        } else if lower.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            guard path.hasPrefix("/") else { return nil }
            self = .directory(path)
        } else if text.hasPrefix("/") {
            self = .directory(text)
        } else {
            return nil
        }
    }
}
