#if canImport(Glibc)
import Glibc
#endif

/// UTC time stamps from `gmtime_r`: ISO 8601 (log lines, `analyze`) and RFC 2822
/// (`final_message`). Why not Foundation: `DateFormatter` links FoundationInternationalization
/// and with it ICU's 34 MB of data, and `ISO8601DateFormatter`/`Date.ISO8601FormatStyle` look
/// up the current time zone, which opens ICU's zone data when it is linked (README,
/// Performance). The stamps are always UTC in the C locale, which `gmtime_r` does exactly.
public enum UTCTimestamp {
    /// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func now() -> String {
        format(secondsSinceEpoch: time(nil))
    }

    /// `secondsSinceEpoch` as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func format(secondsSinceEpoch: Int) -> String {
        guard let parts = brokenDown(secondsSinceEpoch) else { return "0000-00-00T00:00:00Z" }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
            + "T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))Z"
    }

    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `secondsSinceEpoch` as RFC 2822, `Mon, 23 Nov 2026 07:27:28 +0000` (cloud-init's
    /// `time_rfc2822`; English names whatever the locale, as RFC 2822 requires).
    public static func rfc2822(secondsSinceEpoch: Int) -> String {
        guard let parts = brokenDown(secondsSinceEpoch) else { return "Thu, 01 Jan 1970 00:00:00 +0000" }
        return "\(weekdays[Int(parts.tm_wday) % 7]), \(pad(Int(parts.tm_mday), 2)) \(months[Int(parts.tm_mon) % 12]) "
            + "\(pad(Int(parts.tm_year) + 1900, 4)) \(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2))"
            + ":\(pad(Int(parts.tm_sec), 2)) +0000"
    }

    private static func brokenDown(_ secondsSinceEpoch: Int) -> tm? {
        var seconds = time_t(secondsSinceEpoch)
        var parts = tm()
        return gmtime_r(&seconds, &parts) != nil ? parts : nil
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
