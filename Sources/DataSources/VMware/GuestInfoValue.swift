import AgentBase
import FoundationEssentials

/// One guestinfo document (`metadata`, `userdata`, `vendordata`, metadata's `network`) with
/// its `.encoding`, decoded as cloud-init's `DataSourceVMware.decode` does: `gzip+base64` or
/// `gz+b64` is base64 then gzip, `base64` or `b64` is base64, anything else is the text as is.
enum GuestInfoValue {
    /// What cloud-init takes for "no value": empty after trailing whitespace, or `---` (an
    /// empty YAML document, `GUESTINFO_EMPTY_YAML_VAL`).
    static func isEmpty(_ text: String) -> Bool {
        let trimmed = text.trimmingWhitespaceAndNewlines()
        return trimmed.isEmpty || trimmed == "---"
    }

    /// The bytes of `text` decoded per `encoding`; `location` (`guestinfo.metadata`) names it in
    /// errors: base64 that is not base64, or gzip that is not gzip, is a `malformedDocument`.
    static func decode(
        _ text: String, encoding: String?, location: String, maxBytes: Int, channel: any GuestInfoChannel
    ) throws -> Data {
        switch encoding?.trimmingWhitespaceAndNewlines().lowercased() {
        case "gzip+base64"?, "gz+b64"?:
            return try channel.gunzip(try base64(text, location: location), maxBytes: maxBytes, location: location)
        case "base64"?, "b64"?:
            return try base64(text, location: location)
        default:
            return Data(text.utf8)
        }
    }

    /// Base64 with its line breaks and spaces dropped (govc and `base64` wrap at 76 columns).
    static func base64(_ text: String, location: String) throws -> Data {
        let compact = String(text.unicodeScalars.filter { !$0.properties.isWhitespace })
        guard let data = Data(base64Encoded: compact) else {
            throw DataSourceError.malformedDocument(
                location: location, reason: "its encoding says base64, but it is not")
        }
        return data
    }
}
