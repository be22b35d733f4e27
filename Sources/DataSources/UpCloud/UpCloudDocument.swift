import AgentBase
import FoundationEssentials

/// The fields of UpCloud's `v1.json` the agent uses, as cloud-init's DataSourceUpCloud reads
/// them: `instance_id`, `hostname`, `public_keys` (a list), `region`, `user_data`,
/// `vendor_data` (user data's formats) and `network`.
struct UpCloudDocument {
    var instanceID: String
    var hostname: String?
    var publicKeys: [String]
    var refusedKeys: [String]
    var region: String?
    var userData: Data?
    var vendorData: Data?
    var network: NetworkDescription?

    /// Reads `object`; `location` names the document in errors, `uuid` (the DMI system UUID)
    /// stands in for a missing `instance_id`.
    init(_ object: [String: JSONValue], location: String, uuid: String?) throws {
        guard let instanceID = CloudJSON.identifier(object["instance_id"]) ?? uuid else {
            throw DataSourceError.missingField(location: location, field: "instance_id")
        }
        self.instanceID = instanceID
        hostname = object["hostname"]?.stringValue
        (publicKeys, refusedKeys) = CloudJSON.keyLines(object["public_keys"], field: "public_keys")
        region = object["region"]?.stringValue
        // UpCloud serves "" for "none": no document, not an empty one.
        userData = object["user_data"]?.stringValue.flatMap { $0.isEmpty ? nil : Data($0.utf8) }
        vendorData = object["vendor_data"]?.stringValue.flatMap { $0.isEmpty ? nil : Data($0.utf8) }
        network = UpCloudNetwork.description(object["network"])
    }

    /// The server as the agent's one metadata value.
    func metadata(sourceID: String) -> InstanceMetadata {
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: instanceID, hostname: hostname,
            publicKeys: publicKeys.enumerated().map {
                PublicKeyEntry(name: "public_keys[\($0.offset)]", line: $0.element)
            },
            refusedKeys: refusedKeys, availabilityZone: region, userData: userData, network: network)
        metadata.vendorUserDataDocument = OptionalDocument(vendorData)
        return metadata
    }
}
