import AgentBase
import FoundationEssentials

/// The fields of Vultr's `v1.json` the agent uses, as cloud-init's DataSourceVultr and
/// `refactor_metadata` read them: `instance-v2-id`, `hostname` (`guest` when empty),
/// `public-keys`, `region` (`countrycode`, else `regioncode`, lower-cased), `user-data` (a
/// string; `[]` or `""` mean none), `vendor-data` (user data's formats), and `cloud_interfaces`
/// or `interfaces` for the network.
struct VultrDocument {
    var instanceID: String
    var hostname: String
    var publicKeys: [String]
    var refusedKeys: [String]
    var region: String?
    var userData: Data?
    var vendorData: Data?
    var network: NetworkDescription?

    /// Reads `object`; `location` names the document in errors; `interfaceNames` are the
    /// guest's interface names by MAC, which name the network's links.
    init(_ object: [String: JSONValue], location: String, interfaceNames: [String: String] = [:]) throws {
        guard let instanceID = CloudJSON.identifier(object["instance-v2-id"]) else {
            throw DataSourceError.missingField(location: location, field: "instance-v2-id")
        }
        self.instanceID = instanceID
        let name = object["hostname"]?.stringValue ?? ""
        hostname = name.isEmpty ? "guest" : name
        (publicKeys, refusedKeys) = CloudJSON.keyLines(object["public-keys"], field: "public-keys")
        let regionObject = object["region"]?.objectValue
        region = (regionObject?["countrycode"]?.stringValue ?? regionObject?["regioncode"]?.stringValue)?.lowercased()
        userData = Self.text(object["user-data"])
        vendorData = Self.text(object["vendor-data"])
        network = VultrNetwork.description(
            interfaces: object["interfaces"], cloudInterfaces: object["cloud_interfaces"], names: interfaceNames)
    }

    /// The instance as the agent's one metadata value.
    func metadata(sourceID: String) -> InstanceMetadata {
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: instanceID, hostname: hostname,
            publicKeys: publicKeys.enumerated().map {
                PublicKeyEntry(name: "public-keys[\($0.offset)]", line: $0.element)
            },
            refusedKeys: refusedKeys, availabilityZone: region, userData: userData, network: network)
        metadata.vendorUserDataDocument = OptionalDocument(vendorData)
        return metadata
    }

    /// A non-empty string's bytes; nil for anything else (Vultr serves `[]` for no user data).
    private static func text(_ value: JSONValue?) -> Data? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return Data(text.utf8)
    }
}
