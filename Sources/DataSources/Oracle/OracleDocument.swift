import AgentBase
import FoundationEssentials

/// The fields of OCI's instance document the agent uses, as cloud-init's DataSourceOracle
/// reads them: `id`, `hostname`, `displayName`, `ociAdName`, and in `metadata`
/// `ssh_authorized_keys` (one string, a key per line) and `user_data` (base64).
struct OracleDocument {
    var instanceID: String
    var hostname: String?
    var displayName: String?
    var availabilityDomain: String?
    var publicKeys: [String]
    var refusedKeys: [String]
    var userData: OptionalDocument

    /// Reads `object`; `location` names the document in errors.
    init(_ object: [String: JSONValue], location: String) throws {
        guard let id = CloudJSON.identifier(object["id"]) else {
            throw DataSourceError.missingField(location: location, field: "id")
        }
        instanceID = id
        hostname = object["hostname"]?.stringValue
        displayName = object["displayName"]?.stringValue
        availabilityDomain = object["ociAdName"]?.stringValue
        let metadata = object["metadata"]?.objectValue ?? [:]
        (publicKeys, refusedKeys) = CloudJSON.keyLines(
            metadata["ssh_authorized_keys"], field: "metadata.ssh_authorized_keys")
        switch metadata["user_data"] {
        case nil, .null?: userData = .absent
        case .string(let text)?:
            // OCI stores what the console or API was given, base64-encoded; cloud-init decodes
            // it strictly, so a value that is not base64 is unreadable here, never run as is.
            if let decoded = Data(base64Encoded: text) {
                userData = OptionalDocument(decoded.isEmpty ? nil : decoded)
            } else {
                userData = .unreadable(Self.unreadable(location, "metadata.user_data is not base64"))
            }
        case .some:
            userData = .unreadable(Self.unreadable(location, "metadata.user_data is not a string"))
        }
    }

    /// Only the userdata plugin fails on bad user data: host name and keys still apply.
    private static func unreadable(_ location: String, _ reason: String) -> DocumentReadError {
        DocumentReadError(document: "user data", reason: "\(location): \(reason)")
    }

    /// The instance as the agent's one metadata value.
    func metadata(sourceID: String) -> InstanceMetadata {
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: instanceID, hostname: hostname, name: displayName,
            publicKeys: publicKeys.enumerated().map {
                PublicKeyEntry(name: "ssh_authorized_keys[\($0.offset)]", line: $0.element)
            },
            refusedKeys: refusedKeys, launchIndex: 0, availabilityZone: availabilityDomain)
        metadata.userDataDocument = userData
        return metadata
    }
}
