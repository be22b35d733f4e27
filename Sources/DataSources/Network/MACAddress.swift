import FoundationEssentials

/// MAC address spelling: metadata, `/sys/class/net/*/address` and every renderer use
/// lower-case `aa:bb:cc:dd:ee:ff`.
public enum MACAddress {
    /// The canonical form, or nil when `text` is not six hex pairs separated by `:` or `-`.
    public static func normalize(_ text: String) -> String? {
        let trimmed = text.trimmingWhitespaceAndNewlines().lowercased()
        let parts =
            trimmed.split(separator: ":", omittingEmptySubsequences: false).count == 6
            ? trimmed.split(separator: ":", omittingEmptySubsequences: false)
            : trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 6,
            parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) && $0.allSatisfy(\.isASCII) })
        else {
            return nil
        }
        return parts.joined(separator: ":")
    }

    /// The canonical form of an IPoIB hardware address (20 hex pairs separated by `:`, as
    /// `/sys/class/net/ib0/address` and network config v1 `infiniband` entries give it), or nil.
    public static func normalizeInfiniBand(_ text: String) -> String? {
        let parts = text.trimmingWhitespaceAndNewlines().lowercased().split(
            separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 20,
            parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) && $0.allSatisfy(\.isASCII) })
        else { return nil }
        return parts.joined(separator: ":")
    }
}
