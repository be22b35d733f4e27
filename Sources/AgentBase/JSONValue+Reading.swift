import FoundationEssentials

/// Reading metadata documents as `JSONValue` (JSONDecoder, FoundationEssentials) instead of
/// `JSONSerialization` with `NSNumber`/`NSNull`, which are corelibs Foundation and would link
/// ICU's 34 MB of data into the agent (issue 12).
extension JSONValue {
    /// `data` parsed as any JSON value.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The members of an object, else nil.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements of an array, else nil.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The text of a string, else nil.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A number as NSNumber's `stringValue` printed it (`24`, `1.5`), a boolean as `1` or `0`
    /// (JSONSerialization read booleans as numbers), else nil.
    public var numberText: String? {
        switch self {
        case .number(let value):
            if let whole = Int(exactly: value) { return String(whole) }
            return String(value)
        case .bool(let value): return value ? "1" : "0"
        default: return nil
        }
    }

    /// A number or boolean as an integer when it is whole (booleans as 1 and 0), else nil.
    public var wholeNumber: Int? {
        switch self {
        case .number(let value): return Int(exactly: value)
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    /// A number truncated toward zero (NSNumber's `intValue`), a boolean as 1 or 0, else nil.
    public var truncatedInteger: Int? {
        switch self {
        case .number(let value): return Int(exactly: value.rounded(.towardZero))
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    /// Short text for error messages: strings as they are, numbers as `numberText`, the rest as JSON.
    public var plainText: String {
        if let text = stringValue ?? numberText { return text }
        if case .null = self { return "null" }
        guard let data = try? JSONEncoder().encode(self) else { return "?" }
        return String(decoding: data, as: UTF8.self)
    }
}
