import AgentBase
import FoundationEssentials

/// What the agent takes from Scaleway's `/conf?format=json`, as cloud-init's
/// DataSourceScaleway and afterburn's scaleway provider read it: `id`, `hostname`,
/// `ssh_public_keys` (objects with a `key`), `tags` of the form `AUTHORIZED_KEY=<key with _
/// for spaces>` (cloud-init), and the zone (`location.zone_id` in afterburn, `zone` in
/// cloud-init's fixture).
struct ScalewayDocument {
    var instanceID: String
    var hostname: String?
    var zone: String?
    var publicKeys: [PublicKeyEntry] = []
    var refusedKeys: [String] = []

    static let keyTagPrefix = "AUTHORIZED_KEY="

    /// Reads the document; `location` names it in errors (no `id`).
    init(_ object: [String: JSONValue], location: String) throws {
        guard let instanceID = CloudJSON.identifier(object["id"]) else {
            throw DataSourceError.missingField(location: location, field: "id")
        }
        self.instanceID = instanceID
        hostname = object["hostname"]?.stringValue
        zone = object["location"]?.objectValue?["zone_id"]?.stringValue ?? object["zone"]?.stringValue
        readKeys(object["ssh_public_keys"])
        for tag in object["tags"]?.arrayValue ?? [] {
            guard let text = tag.stringValue, text.hasPrefix(Self.keyTagPrefix) else { continue }
            // cloud-init's get_public_ssh_keys: a tag cannot hold spaces, so they are `_`.
            let key = String(text.dropFirst(Self.keyTagPrefix.count).map { $0 == "_" ? " " : $0 })
            publicKeys += CloudJSON.lines(of: key).map { PublicKeyEntry(name: "tags", line: $0) }
        }
    }

    /// `ssh_public_keys`: a list of objects, each with its key line in `key`.
    mutating func readKeys(_ value: JSONValue?) {
        guard let value else { return }
        if case .null = value { return }
        guard let entries = value.arrayValue else {
            refusedKeys.append("ssh_public_keys is not a list")
            return
        }
        for (index, entry) in entries.enumerated() {
            guard let key = entry.objectValue?["key"]?.stringValue else {
                refusedKeys.append("ssh_public_keys[\(index)] has no key string")
                continue
            }
            publicKeys += CloudJSON.lines(of: key).map { PublicKeyEntry(name: "ssh_public_keys[\(index)]", line: $0) }
        }
    }
}
