import AgentBase
import FoundationEssentials

/// What the agent takes from Akamai's documents: `/v1/instance` (`id`, `label`, `region`,
/// as afterburn's `Instance` reads them), `/v1/ssh-keys` (`{"users": {"root": [...]}}`,
/// afterburn's `SshKeys`) and `/v1/user-data` (base64, as cloud-init decodes it).
struct AkamaiDocument {
    var instanceID: String
    var label: String?
    var region: String?
    var publicKeys: [PublicKeyEntry] = []
    var refusedKeys: [String] = []

    /// Reads the instance document; `serial` (the DMI serial, the Linode id) stands in for a
    /// missing `id`, as in cloud-init.
    init(instance: [String: JSONValue], location: String, serial: String?) throws {
        guard let instanceID = CloudJSON.identifier(instance["id"]) ?? serial else {
            throw DataSourceError.missingField(location: location, field: "id")
        }
        self.instanceID = instanceID
        label = instance["label"]?.stringValue
        region = instance["region"]?.stringValue
    }

    /// Every user's keys, users in name order (a JSON object has none), each named by its
    /// user, as afterburn takes them all.
    mutating func readKeys(_ object: [String: JSONValue]) {
        guard let users = object["users"]?.objectValue else {
            if object["users"] != nil { refusedKeys.append("users is not an object") }
            return
        }
        for user in users.keys.sorted() {
            let (lines, refused) = CloudJSON.keyLines(users[user], field: "users.\(user)")
            publicKeys += lines.map { PublicKeyEntry(name: user, line: $0) }
            refusedKeys += refused
        }
    }

    /// The instance as the agent's one metadata value. The label is the instance's name, not
    /// its host name: neither cloud-init nor afterburn makes it one.
    func metadata(sourceID: String, userData: OptionalDocument) -> InstanceMetadata {
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: instanceID, name: label, publicKeys: publicKeys,
            refusedKeys: refusedKeys, availabilityZone: region)
        metadata.userDataDocument = userData
        return metadata
    }

    /// Akamai serves user data base64-encoded; cloud-init decodes it and keeps the text as it
    /// is when that fails: so does the agent (strict base64 as a whole, else as served).
    static func decodedUserData(_ data: Data?) -> Data? {
        guard let data, !data.isEmpty else { return nil }
        let trimmed = Data(String(decoding: data, as: UTF8.self).trimmingWhitespaceAndNewlines().utf8)
        return Data(base64Encoded: trimmed) ?? data
    }
}
