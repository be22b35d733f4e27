import AgentBase
import FoundationEssentials

/// Parsing the clouds' JSON documents and reading their loosely typed fields: the platforms
/// serve ids as numbers or strings and key lists as one string or an array (DigitalOcean
/// does both, see cloud-init's `test_digitalocean.py`).
enum CloudJSON {
    /// `data` as a JSON object, or a `malformedDocument` naming `location` and what is wrong.
    static func object(_ data: Data, location: String) throws -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch {
            throw DataSourceError.malformedDocument(location: location, reason: "not valid JSON (\(describe(error)))")
        }
        guard let object = value.objectValue else {
            throw DataSourceError.malformedDocument(location: location, reason: "top level is not a JSON object")
        }
        return object
    }

    /// A string, or a whole number as its digits (`"22532410"` and `22532410` both give
    /// `22532410`); nil for anything else or an empty string.
    static func identifier(_ value: JSONValue?) -> String? {
        guard let value, let text = value.stringValue ?? value.wholeNumber.map(String.init),
            !text.trimmingWhitespaceAndNewlines().isEmpty
        else { return nil }
        return text.trimmingWhitespaceAndNewlines()
    }

    /// SSH key lines from one string (one key per line) or an array of strings (each may hold
    /// several lines). Elements that are not strings are named in `refused`.
    static func keyLines(_ value: JSONValue?, field: String) -> (lines: [String], refused: [String]) {
        switch value {
        case .string(let text)?: return (lines(of: text), [])
        case .array(let elements)?:
            var result: [String] = []
            var refused: [String] = []
            for (index, element) in elements.enumerated() {
                guard let text = element.stringValue else {
                    refused.append("\(field)[\(index)] is not a string")
                    continue
                }
                result += lines(of: text)
            }
            return (result, refused)
        case nil, .null?: return ([], [])
        case let other?:
            return ([], ["\(field) is neither a string nor a list (\(TextPreview.line(other.plainText, limit: 60)))"])
        }
    }

    /// The non-empty, non-comment lines of `text`, trimmed.
    static func lines(of text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespaceAndNewlines() }.filter {
            !$0.isEmpty && !$0.hasPrefix("#")
        }
    }

    /// What JSONDecoder says is wrong with the text (its underlying parser error, with the place).
    static func describe(_ error: any Error) -> String {
        guard case DecodingError.dataCorrupted(let context) = error else { return "\(error)" }
        if let underlying = context.underlyingError { return "\(underlying)" }
        return context.debugDescription
    }

    /// A JSON value as the YAML value the network config converters read: the clouds that
    /// give a cloud-init network config (Vultr's `cloud_interfaces`) or parts of one (routes)
    /// in JSON hand it to the same converter as NoCloud's YAML.
    static func yaml(_ value: JSONValue) -> YAMLValue {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number): Int(exactly: number).map(YAMLValue.int) ?? .double(number)
        case .string(let text): .string(text)
        case .array(let items): .list(items.map(yaml))
        case .object(let members): .map(members.mapValues(yaml))
        }
    }
}
