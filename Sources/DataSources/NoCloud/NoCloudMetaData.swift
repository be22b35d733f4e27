import AgentBase
import FoundationEssentials

/// NoCloud's `meta-data` file: YAML (or JSON, which is YAML) with `instance-id`,
/// `local-hostname` (or `hostname`), `public-keys` and the legacy `network-interfaces` ENI
/// text (cloud-init's DataSourceNoCloud reads the same keys). An empty document is valid:
/// cloud-init then uses the instance id `nocloud`, and so do we.
///
/// Values of unexpected types are skipped with a note, never fatal; only text that is not
/// YAML, or a top level that is not a mapping, refuses the seed (named by `location`).
struct NoCloudMetaData: Sendable, Equatable {
    /// cloud-init's default when meta-data has no `instance-id`.
    static let defaultInstanceID = "nocloud"

    var instanceID: String
    var hostname: String?
    var publicKeys: [PublicKeyEntry]
    var refusedKeys: [String]
    /// `network-interfaces`: ENI text, as Proxmox and older seeds write it.
    var networkInterfaces: String?

    init(_ data: Data, location: String) throws {
        let root: [String: YAMLValue]
        do {
            switch try YAMLParser.parse(String(decoding: data, as: UTF8.self)) {
            case nil, .null?: root = [:]
            case .map(let entries)?: root = entries
            case let other?:
                throw DataSourceError.malformedDocument(
                    location: location, reason: "top level is \(Self.kind(other)), not a mapping")
            }
        } catch let error as YAMLError {
            throw DataSourceError.malformedDocument(location: location, reason: "\(error)")
        }
        instanceID = Self.scalarText(root["instance-id"]).flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultInstanceID
        hostname = Self.scalarText(root["local-hostname"]) ?? Self.scalarText(root["hostname"])
        (publicKeys, refusedKeys) = Self.keys(root["public-keys"])
        networkInterfaces = Self.scalarText(root["network-interfaces"])
    }

    /// `public-keys` as cloud-init normalizes it: a string (one key per line), a list of
    /// strings, or a mapping whose values are strings or lists of strings (named by key).
    static func keys(_ value: YAMLValue?) -> ([PublicKeyEntry], refused: [String]) {
        var keys: [PublicKeyEntry] = []
        var refused: [String] = []
        func add(_ text: String, name: String) {
            for line in text.split(whereSeparator: \.isNewline) {
                let key = line.trimmingWhitespace()
                if !key.isEmpty && !key.hasPrefix("#") { keys.append(PublicKeyEntry(name: name, line: key)) }
            }
        }
        func addItems(_ items: [YAMLValue], name: String, place: String) {
            for (index, item) in items.enumerated() {
                if case .string(let text) = item {
                    add(text, name: name)
                } else {
                    refused.append("\(place)[\(index)] is \(kind(item)), not a key line")
                }
            }
        }
        switch value {
        case nil, .null?: break
        case .string(let text)?: add(text, name: "")
        case .list(let items)?: addItems(items, name: "", place: "public-keys")
        case .map(let entries)?:
            for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
                switch entry {
                case .string(let text): add(text, name: name)
                case .list(let items): addItems(items, name: name, place: "public-keys.\(name)")
                default: refused.append("public-keys.\(name) is \(kind(entry)), not a key line")
                }
            }
        case let other?: refused.append("public-keys is \(kind(other)), not a key, a list or a mapping")
        }
        return (keys, refused)
    }

    /// A scalar as text (`i-123`, `42` for an unquoted number); nil for anything else.
    static func scalarText(_ value: YAMLValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .int(let number)?: String(number)
        case .double, .bool: value?.text
        default: nil
        }
    }

    static func kind(_ value: YAMLValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .binary: "binary data"
        case .list: "a list"
        case .map: "a mapping"
        }
    }
}
