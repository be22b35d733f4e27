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

    /// Parses `data`; `location` names the document in errors.
    init(data: Data, location: String) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw DataSourceError.malformedDocument(
                location: location, reason: "not valid JSON (\(Self.describe(error)))")
        }
        guard let root = object as? [String: Any] else {
            throw DataSourceError.malformedDocument(location: location, reason: "top level is not a JSON object")
        }
        guard let uuid = root["uuid"] as? String, !uuid.isEmpty else {
            throw DataSourceError.missingField(location: location, field: "uuid")
        }
        self.uuid = uuid
        hostname = root["hostname"] as? String
        name = root["name"] as? String
        launchIndex = (root["launch_index"] as? NSNumber)?.intValue
        availabilityZone = root["availability_zone"] as? String
        meta = Self.stringDictionary(root["meta"])
        adminPass = root["admin_pass"] as? String
        (publicKeys, refusedKeys) = Self.keys(root)
        files = []
        refusedFiles = []
        // Element by element: one entry of the wrong type must not cost the valid ones.
        for (index, element) in Self.array(root["files"]).enumerated() {
            let entry = element as? [String: Any]
            if let path = entry?["path"] as? String, let content = entry?["content_path"] as? String {
                files.append((path, content))
            } else {
                refusedFiles.append(
                    RefusedFile(path: "files[\(index)]", reason: "not an object with string 'path' and 'content_path'"))
            }
        }
    }

    private static func array(_ value: Any?) -> [Any] {
        value as? [Any] ?? []
    }

    /// Keys in a deterministic order: the ordered `keys` list (ssh entries) first, then
    /// any `public_keys` entries not already seen, sorted by name (a JSON object has no order).
    private static func keys(_ root: [String: Any]) -> ([PublicKeyEntry], refused: [String]) {
        var result: [PublicKeyEntry] = []
        var refused: [String] = []
        for (index, element) in array(root["keys"]).enumerated() {
            guard let entry = element as? [String: Any], let data = entry["data"] as? String else {
                refused.append("keys[\(index)] is not an object with a string 'data'")
                continue
            }
            guard (entry["type"] as? String ?? "ssh") == "ssh" else { continue }  // x509: not an SSH key
            result.append(PublicKeyEntry(name: entry["name"] as? String ?? "", line: data))
        }
        let named = stringDictionary(root["public_keys"])
        for (name, line) in named.sorted(by: { $0.key < $1.key }) {
            let entry = PublicKeyEntry(name: name, line: line)
            if !result.contains(where: { $0.line == entry.line }) { result.append(entry) }
        }
        return (result.filter { !$0.line.isEmpty }, refused)
    }

    private static func stringDictionary(_ value: Any?) -> [String: String] {
        guard let dictionary = value as? [String: Any] else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in dictionary {
            if let string = value as? String {
                result[key] = string
            } else if let number = value as? NSNumber {
                result[key] = number.stringValue
            }
        }
        return result
    }

    private static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
    }
}
