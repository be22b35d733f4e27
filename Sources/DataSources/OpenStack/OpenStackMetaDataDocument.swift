import AgentBase
import FoundationEssentials

/// The parts of nova's meta_data.json the agent uses (docs/PROTOCOLS.md §1.4), read leniently:
/// only `uuid` is required; values of unexpected types are ignored, never fatal.
struct OpenStackMetaDataDocument {
    var uuid: String
    var hostname: String?
    var name: String?
    var launchIndex: Int?
    var availabilityZone: String?
    var meta: [String: String]
    var adminPass: String?
    var publicKeys: [PublicKeyEntry]
    /// `keys` elements that were not usable, by index (the rest are kept).
    var refusedKeys: [String]
    var files: [(path: String, contentPath: String)]
    /// `files` elements that were not objects with string `path` and `content_path`.
    var refusedFiles: [RefusedFile]
    /// `network_config`: `{"content_path": "/content/0000"}`, an ENI text Proxmox's
    /// configdrive2 writes (nova's old file injection did too). nil when absent;
    /// `.malformed` when it is not an object with a string `content_path`.
    var networkConfig: NetworkConfigPointer?

    enum NetworkConfigPointer: Equatable {
        case contentPath(String)
        case malformed
    }

    /// Parses `data`; `location` names the document in errors.
    init(data: Data, location: String) throws {
        let object: JSONValue
        do {
            object = try JSONValue.parse(data)
        } catch {
            throw DataSourceError.malformedDocument(
                location: location, reason: "not valid JSON (\(Self.describe(error)))")
        }
        guard let root = object.objectValue else {
            throw DataSourceError.malformedDocument(location: location, reason: "top level is not a JSON object")
        }
        guard let uuid = root["uuid"]?.stringValue, !uuid.isEmpty else {
            throw DataSourceError.missingField(location: location, field: "uuid")
        }
        self.uuid = uuid
        hostname = root["hostname"]?.stringValue
        name = root["name"]?.stringValue
        launchIndex = root["launch_index"]?.truncatedInteger
        availabilityZone = root["availability_zone"]?.stringValue
        meta = Self.stringDictionary(root["meta"])
        adminPass = root["admin_pass"]?.stringValue
        (publicKeys, refusedKeys) = Self.keys(root)
        files = []
        refusedFiles = []
        switch root["network_config"] {
        case nil, .null?: networkConfig = nil
        case let value?:
            networkConfig =
                value.objectValue?["content_path"]?.stringValue.map(NetworkConfigPointer.contentPath) ?? .malformed
        }
        // Element by element: one entry of the wrong type must not cost the valid ones.
        for (index, element) in Self.array(root["files"]).enumerated() {
            let entry = element.objectValue
            if let path = entry?["path"]?.stringValue, let content = entry?["content_path"]?.stringValue {
                files.append((path, content))
            } else {
                refusedFiles.append(
                    RefusedFile(path: "files[\(index)]", reason: "not an object with string 'path' and 'content_path'"))
            }
        }
    }

    private static func array(_ value: JSONValue?) -> [JSONValue] {
        value?.arrayValue ?? []
    }

    /// Keys in a deterministic order: the ordered `keys` list (ssh entries) first, then
    /// any `public_keys` entries not already seen, sorted by name (a JSON object has no order).
    private static func keys(_ root: [String: JSONValue]) -> ([PublicKeyEntry], refused: [String]) {
        var result: [PublicKeyEntry] = []
        var refused: [String] = []
        for (index, element) in array(root["keys"]).enumerated() {
            guard let entry = element.objectValue, let data = entry["data"]?.stringValue else {
                refused.append("keys[\(index)] is not an object with a string 'data'")
                continue
            }
            guard (entry["type"]?.stringValue ?? "ssh") == "ssh" else { continue }  // x509: not an SSH key
            result.append(PublicKeyEntry(name: entry["name"]?.stringValue ?? "", line: data))
        }
        let named = stringDictionary(root["public_keys"])
        for (name, line) in named.sorted(by: { $0.key < $1.key }) {
            let entry = PublicKeyEntry(name: name, line: line)
            if !result.contains(where: { $0.line == entry.line }) { result.append(entry) }
        }
        return (result.filter { !$0.line.isEmpty }, refused)
    }

    private static func stringDictionary(_ value: JSONValue?) -> [String: String] {
        guard let dictionary = value?.objectValue else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in dictionary {
            if let text = value.stringValue ?? value.numberText { result[key] = text }
        }
        return result
    }

    /// What JSONDecoder says is wrong with the text (its underlying parser error, with the place).
    private static func describe(_ error: any Error) -> String {
        guard case DecodingError.dataCorrupted(let context) = error else { return "\(error)" }
        if let underlying = context.underlyingError { return "\(underlying)" }
        return context.debugDescription
    }
}
