import AgentBase
import FoundationEssentials

/// The fields of Hetzner's metadata YAML the agent uses, as cloud-init's DataSourceHetzner
/// reads them: `instance-id` (a number), `hostname`, `public-keys` (a list), `vendor_data`
/// (user data's formats), `availability-zone`, and `network-config` (a cloud-init network
/// config version 1, converted by the agent's own converter).
struct HetznerDocument {
    var instanceID: String
    var hostname: String?
    var publicKeys: [String]
    var refusedKeys: [String]
    var availabilityZone: String?
    var vendorData: Data?
    var network: NetworkDescription?

    /// Parses `data`, and `privateNetworks` (the `metadata/private-networks` YAML list, nil
    /// when not served) into the network; `location` names the document in errors.
    init(_ data: Data, location: String, privateNetworks: HetznerPrivateNetworks? = nil) throws {
        guard case .map(let object)? = try Self.yaml(data, location: location) else {
            throw DataSourceError.malformedDocument(location: location, reason: "top level is not a mapping")
        }
        guard let instanceID = Self.scalar(object["instance-id"]) else {
            throw DataSourceError.missingField(location: location, field: "instance-id")
        }
        self.instanceID = instanceID
        hostname = Self.scalar(object["hostname"])
        availabilityZone = Self.scalar(object["availability-zone"])
        vendorData = Self.scalar(object["vendor_data"]).map { Data($0.utf8) }
        (publicKeys, refusedKeys) = Self.keys(object["public-keys"])
        var networkConfig = object["network-config"]
        if let privateNetworks, !privateNetworks.links.isEmpty {
            networkConfig = privateNetworks.appended(to: networkConfig)
        }
        network = networkConfig.flatMap(NetworkDescription.fromCloudInitNetworkConfig)
    }

    /// `data` as YAML, or a `malformedDocument` naming `location` and what is wrong.
    static func yaml(_ data: Data, location: String) throws -> YAMLValue? {
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataSourceError.malformedDocument(location: location, reason: "not UTF-8")
        }
        do {
            return try YAMLParser.parse(text)
        } catch {
            throw DataSourceError.malformedDocument(location: location, reason: "not valid YAML (\(error))")
        }
    }

    /// The server as the agent's one metadata value.
    func metadata(sourceID: String, userData: OptionalDocument) -> InstanceMetadata {
        var metadata = InstanceMetadata(
            sourceID: sourceID, instanceID: instanceID, hostname: hostname,
            publicKeys: publicKeys.enumerated().map {
                PublicKeyEntry(name: "public-keys[\($0.offset)]", line: $0.element)
            },
            refusedKeys: refusedKeys, availabilityZone: availabilityZone, network: network)
        metadata.userDataDocument = userData
        metadata.vendorUserDataDocument = OptionalDocument(vendorData)
        return metadata
    }

    /// A string or number as text; nil for anything else and for an empty string.
    private static func scalar(_ value: YAMLValue?) -> String? {
        switch value {
        case .string(let text)?: text.isEmpty ? nil : text
        case .int(let number)?: String(number)
        default: nil
        }
    }

    private static func keys(_ value: YAMLValue?) -> ([String], refused: [String]) {
        switch value {
        case .list(let items)?:
            var keys: [String] = []
            var refused: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let line) = item else {
                    refused.append("public-keys[\(index)] is not a string")
                    continue
                }
                keys += CloudJSON.lines(of: line)
            }
            return (keys, refused)
        case .string(let text)?: return (CloudJSON.lines(of: text), [])
        case nil, .null?: return ([], [])
        case let other?:
            return ([], ["public-keys is neither a list nor a string (\(TextPreview.line(other.text, limit: 60)))"])
        }
    }
}
