import Foundation

/// The parts of nova's meta_data.json the agent uses (PROTOCOLS.md 1.4), read leniently:
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
    var files: [(path: String, contentPath: String)]

    /// Parses `data`; `location` names the document in errors.
    init(data: Data, location: String) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw DataSourceError.malformedDocument(location: location, reason: "not valid JSON (\(Self.describe(error)))")
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
        publicKeys = Self.keys(root)
        files = (root["files"] as? [[String: Any]] ?? []).compactMap { entry in
            guard let path = entry["path"] as? String, let content = entry["content_path"] as? String else { return nil }
            return (path, content)
        }
    }

    /// Keys in a deterministic order: the ordered `keys` list (ssh entries) first, then
    /// any `public_keys` entries not already seen, sorted by name (a JSON object has no order).
    private static func keys(_ root: [String: Any]) -> [PublicKeyEntry] {
        var result: [PublicKeyEntry] = []
        for entry in root["keys"] as? [[String: Any]] ?? [] {
            guard (entry["type"] as? String ?? "ssh") == "ssh", let data = entry["data"] as? String else { continue }
            result.append(PublicKeyEntry(name: entry["name"] as? String ?? "", line: data))
        }
        let named = stringDictionary(root["public_keys"])
        for name in named.keys.sorted() {
            let entry = PublicKeyEntry(name: name, line: named[name]!)
            if !result.contains(where: { $0.line == entry.line }) { result.append(entry) }
        }
        return result.filter { !$0.line.isEmpty }
    }

    private static func stringDictionary(_ value: Any?) -> [String: String] {
        guard let dictionary = value as? [String: Any] else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in dictionary {
            if let string = value as? String { result[key] = string } else if let number = value as? NSNumber { result[key] = number.stringValue }
        }
        return result
    }

    private static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
    }
}
