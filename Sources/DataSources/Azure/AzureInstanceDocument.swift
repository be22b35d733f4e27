import AgentBase
import FoundationEssentials

/// What the agent takes from Azure IMDS's `/metadata/instance` (api-version 2021-08-01), the
/// fields cloud-init 22.4.2's DataSourceAzure reads: `compute.vmId` (the instance id),
/// `compute.osProfile.computerName` (the host name, `_hostname_from_imds`; `compute.name`,
/// the resource's name, when it is absent), `compute.osProfile.adminUsername`,
/// `compute.publicKeys[].keyData`, `compute.userData` (base64), `compute.location` and
/// `compute.zone`, and `network.interface[]` (`AzureNetwork`).
struct AzureInstanceDocument {
    var vmID: String?
    var hostname: String?
    var adminUsername: String?
    var publicKeys: [PublicKeyEntry] = []
    var refusedKeys: [String] = []
    var userData: Data?
    /// Why `compute.userData` was not used (not base64); the user data is then unreadable.
    var userDataProblem: String?
    var location: String?
    var zone: String?
    var network: NetworkDescription?

    /// Reads the document; `location` names it in errors (no `compute` object).
    init(_ object: [String: JSONValue], location documentLocation: String) throws {
        guard let compute = object["compute"]?.objectValue else {
            throw DataSourceError.missingField(location: documentLocation, field: "compute")
        }
        vmID = CloudJSON.identifier(compute["vmId"])
        let profile = compute["osProfile"]?.objectValue ?? [:]
        hostname = Self.nonEmpty(profile["computerName"]) ?? Self.nonEmpty(compute["name"])
        adminUsername = Self.nonEmpty(profile["adminUsername"])
        location = Self.nonEmpty(compute["location"])
        zone = Self.nonEmpty(compute["zone"])
        readKeys(compute["publicKeys"])
        if let encoded = Self.nonEmpty(compute["userData"]) {
            // cloud-init: `base64.b64decode("".join(imds_userdata.split()))`.
            let joined = encoded.filter { !$0.isWhitespace }
            if let decoded = Data(base64Encoded: joined) {
                userData = decoded
            } else {
                userDataProblem = "compute.userData at \(documentLocation) is not base64"
            }
        }
        network = AzureNetwork.description(object["network"]?.objectValue?["interface"])
    }

    /// `publicKeys`: objects with the key line in `keyData` (and a `path` the agent does not
    /// follow: keys go to the admin user's authorized_keys, as cloud-init installs them).
    mutating func readKeys(_ value: JSONValue?) {
        guard let value else { return }
        if case .null = value { return }
        guard let entries = value.arrayValue else {
            refusedKeys.append("compute.publicKeys is not a list")
            return
        }
        for (index, entry) in entries.enumerated() {
            guard let key = entry.objectValue?["keyData"]?.stringValue else {
                refusedKeys.append("compute.publicKeys[\(index)] has no keyData string")
                continue
            }
            publicKeys += CloudJSON.lines(of: key).map {
                PublicKeyEntry(name: "compute.publicKeys[\(index)]", line: $0)
            }
        }
    }

    static func nonEmpty(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue?.trimmingWhitespaceAndNewlines(), !text.isEmpty else { return nil }
        return text
    }
}
