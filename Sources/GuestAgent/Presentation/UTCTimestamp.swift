#if canImport(Glibc)
import Glibc
#endif

/// The log lines' time stamp, `2026-11-22T10:00:00Z` (ISO 8601, UTC, to the second), from
/// `gmtime_r`. Why not Foundation: both `ISO8601DateFormatter` and FoundationEssentials'
/// `Date.ISO8601FormatStyle` look up the current time zone, which with
/// FoundationInternationalization linked (Yams brings it) opens ICU's zone data: about 1.7 MB
/// of the binary faulted in per run for a stamp that is always UTC (README, Performance).
enum UTCTimestamp {
    /// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
    static func now() -> String {
        format(secondsSinceEpoch: time(nil))
    }

    /// `secondsSinceEpoch` as `YYYY-MM-DDTHH:MM:SSZ`.
    static func format(secondsSinceEpoch: Int) -> String {
        var seconds = time_t(secondsSinceEpoch)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "0000-00-00T00:00:00Z" }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
            + "T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
