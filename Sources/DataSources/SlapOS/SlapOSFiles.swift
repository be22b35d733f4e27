import AgentBase
import FoundationEssentials

/// What SlapOS's KVM software release serves a guest at `http://10.0.2.100/` (docs/PROTOCOLS.md,
/// SlapOS), as read: each file nil when the server answered 404. Pure data: `metadata` turns it
/// into the agent's model, so the parsing is tested without a server.
///
/// The host writes these files into the partition's `srv/public` directory
/// (SlapOS/slapos `software/kvm/instance-kvm.cfg.jinja2`): `hostname` (the `name` parameter,
/// `localhost` by default, written by `echo`, so with a trailing line feed), `authorized_keys`
/// (the `authorized-keys` parameter; `authorized_key` in the 2015 input schema's wording),
/// `data` (the `data-to-vm` parameter, always written, empty by default) and `vm-bootstrap`
/// (the script `bootstrap-script-url` names).
public struct SlapOSFiles: Sendable, Equatable {
    public var hostname: Data?
    public var authorizedKeys: Data?
    public var data: Data?
    public var bootstrapScript: Data?

    public init(hostname: Data? = nil, authorizedKeys: Data? = nil, data: Data? = nil, bootstrapScript: Data? = nil) {
        self.hostname = hostname
        self.authorizedKeys = authorizedKeys
        self.data = data
        self.bootstrapScript = bootstrapScript
    }

    /// SlapOS gives no instance identity (QEMU runs without `-uuid`, the public files name
    /// none): one fixed id, as cloud-init's OpenNebula source does for the same reason. A
    /// SlapOS VM boots a freshly downloaded image, so the per-instance state starts empty.
    public static let instanceID = "iid-slapos"
    /// The `meta` key `guest-agent query meta.slapos_data` prints the `data` file under.
    public static let dataMetaKey = "slapos_data"
    /// The interpreter SlapOS's own images run `vm-bootstrap` with (slapos.package
    /// `vm-bootstrap` image: `bash bootstrap-script`), so a script without `#!` is still one.
    static let bootstrapInterpreter = "#!/bin/bash\n"

    /// Whether the server served any of the files: SlapOS always writes `hostname` and `data`,
    /// so a server at the address that has neither is not SlapOS's.
    public var isPresent: Bool { hostname != nil || data != nil }

    /// The instance these files describe; `location` names the server in errors.
    public func metadata(sourceID: String, location: String) throws -> InstanceMetadata {
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: Self.instanceID, hostname: try Self.hostname(hostname, location: location))
        (metadata.publicKeys, metadata.refusedKeys) = Self.keys(authorizedKeys)
        if let data {
            metadata.meta[Self.dataMetaKey] = String(decoding: data, as: UTF8.self)
        }
        metadata.userData = Self.userData(bootstrapScript)
        metadata.sourceLocation = location
        return metadata
    }

    /// The `hostname` file's one line; nil when empty or SlapOS's filler `localhost` (the
    /// value it writes when the instance was given no `name`), which is no host name to set.
    static func hostname(_ data: Data?, location: String) throws -> String? {
        guard let data else { return nil }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataSourceError.malformedDocument(location: location + "hostname", reason: "not UTF-8 text")
        }
        let name = text.trimmingWhitespaceAndNewlines()
        return name.isEmpty || name == "localhost" ? nil : name
    }

    /// The `authorized_keys` file as OpenSSH reads one: a key per line, blank lines and `#`
    /// comments skipped. Lines that are not UTF-8 are refused by position.
    static func keys(_ data: Data?) -> (keys: [PublicKeyEntry], refused: [String]) {
        guard let data else { return ([], []) }
        var keys: [PublicKeyEntry] = []
        var refused: [String] = []
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, bytes) in lines.enumerated() {
            guard let line = String(data: Data(bytes), encoding: .utf8)?.trimmingWhitespaceAndNewlines() else {
                refused.append("authorized_keys line \(index + 1) is not UTF-8 text")
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            keys.append(PublicKeyEntry(name: "authorized_keys[\(keys.count)]", line: line))
        }
        return (keys, refused)
    }

    /// `vm-bootstrap` as user data: nil when absent or blank; a script already starting with
    /// `#!` as is; anything else is what SlapOS's images hand to `bash`, so it gets that line.
    static func userData(_ script: Data?) -> Data? {
        guard let script, script.contains(where: { !Self.isBlank($0) }) else { return nil }
        if script.starts(with: Array("#!".utf8)) { return script }
        return Data(bootstrapInterpreter.utf8) + script
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
            || byte == UInt8(ascii: "\r")
    }
}
