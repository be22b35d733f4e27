import AgentBase
import FoundationEssentials

/// The fields of DigitalOcean's `v1.json` the agent uses, as cloud-init's
/// DataSourceDigitalOcean reads them: `droplet_id` (number or string), `hostname`,
/// `public_keys` (one string or a list), `region`, `user_data`, `vendor_data` (user data's
/// formats: a cloud-config or MIME), `interfaces` and `dns.nameservers`.
struct DigitalOceanDocument {
    var dropletID: String
    var hostname: String?
    var publicKeys: [String]
    var refusedKeys: [String]
    var region: String?
    var userData: Data?
    var vendorData: Data?
    var network: NetworkDescription?

    /// Reads `object`; `location` names the document in errors, `serial` (the DMI serial)
    /// stands in for a missing `droplet_id`.
    init(_ object: [String: JSONValue], location: String, serial: String?) throws {
        guard let dropletID = CloudJSON.identifier(object["droplet_id"]) ?? serial else {
            throw DataSourceError.missingField(location: location, field: "droplet_id")
        }
        self.dropletID = dropletID
        hostname = object["hostname"]?.stringValue
        (publicKeys, refusedKeys) = CloudJSON.keyLines(object["public_keys"], field: "public_keys")
        region = object["region"]?.stringValue
        userData = object["user_data"]?.stringValue.map { Data($0.utf8) }
        vendorData = object["vendor_data"]?.stringValue.map { Data($0.utf8) }
        network = DigitalOceanNetwork.description(interfaces: object["interfaces"], dns: object["dns"])
    }

    /// The droplet as the agent's one metadata value.
    func metadata(sourceID: String) -> InstanceMetadata {
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: dropletID, hostname: hostname ?? dropletID,
            publicKeys: publicKeys.enumerated().map {
                PublicKeyEntry(name: "public_keys[\($0.offset)]", line: $0.element)
            },
            refusedKeys: refusedKeys, availabilityZone: region, userData: userData, network: network)
        // vendor_data is a cloud-config or MIME document, as NoCloud's vendor-data is.
        metadata.vendorUserDataDocument = OptionalDocument(vendorData)
        return metadata
    }
}
