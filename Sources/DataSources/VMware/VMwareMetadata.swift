import AgentBase
import FoundationEssentials

/// `guestinfo.metadata`, decoded: JSON or YAML (JSON is YAML to the agent's parser) with the
/// keys cloud-init's DataSourceVMware reads: `instance-id`, `local-hostname`, the first of
/// `public-keys-data`, `public_keys_data`, `public-keys`, `public_keys`, and `network` (a
/// cloud-init network config v1 or v2, a mapping, or text encoded per `network.encoding`).
struct VMwareMetadata {
    var instanceID: String?
    var hostname: String?
    var publicKeys: [PublicKeyEntry] = []
    var refusedKeys: [String] = []
    var network: NetworkDescription?

    /// cloud-init's `get_public_ssh_keys` takes the first of these that is present.
    static let keyFields = ["public-keys-data", "public_keys_data", "public-keys", "public_keys"]

    /// Reads the decoded document; `channel` inflates a gzip network value. Empty text is an
    /// empty document (user data alone is a valid guestinfo); text that is neither JSON nor
    /// YAML, or whose top level is not a mapping, is a `malformedDocument` naming `location`.
    init(_ data: Data, location: String, maxBytes: Int, channel: any GuestInfoChannel) throws {
        let document = try Self.mapping(data, location: location)
        instanceID = NoCloudMetaData.scalarText(document["instance-id"]).flatMap { $0.isEmpty ? nil : $0 }
        hostname = NoCloudMetaData.scalarText(document["local-hostname"])
        if let field = Self.keyFields.first(where: { document[$0] != nil }) {
            (publicKeys, refusedKeys) = NoCloudMetaData.keys(document[field])
        }
        network = try Self.network(document, location: location, maxBytes: maxBytes, channel: channel)
    }

    /// The document's top-level mapping (`[:]` for an empty document).
    static func mapping(_ data: Data, location: String) throws -> [String: YAMLValue] {
        do {
            switch try YAMLParser.parse(String(decoding: data, as: UTF8.self)) {
            case nil, .null?: return [:]
            case .map(let entries)?: return entries
            case let other?:
                throw DataSourceError.malformedDocument(
                    location: location, reason: "top level is \(NoCloudMetaData.kind(other)), not a mapping")
            }
        } catch let error as YAMLError {
            throw DataSourceError.malformedDocument(location: location, reason: "neither JSON nor YAML (\(error))")
        }
    }

    /// `network` as cloud-init's `process_metadata` reads it: a mapping is the config itself;
    /// text is decoded per `network.encoding`, then parsed as JSON or YAML. The converters
    /// validate it (an invalid config is a `.invalid` description the network plugin names).
    static func network(
        _ document: [String: YAMLValue], location: String, maxBytes: Int, channel: any GuestInfoChannel
    ) throws -> NetworkDescription? {
        switch document["network"] {
        case nil, .null?: return nil
        case .map?: return document["network"].flatMap(NetworkDescription.fromCloudInitNetworkConfig)
        case .string(let text)?:
            let place = location + " network"
            let encoding = NoCloudMetaData.scalarText(document["network.encoding"])
            let decoded = try GuestInfoValue.decode(
                text, encoding: encoding, location: place, maxBytes: maxBytes, channel: channel)
            return NetworkDescription.fromCloudInitNetworkConfig(.map(try mapping(decoded, location: place)))
        case let other?:
            throw DataSourceError.malformedDocument(
                location: location, reason: "network is \(NoCloudMetaData.kind(other)), not a mapping or text")
        }
    }
}
