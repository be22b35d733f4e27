/// The dated OpenStack metadata versions this agent understands (docs/PROTOCOLS.md §1.2).
public enum OpenStackVersions {
    public static let known: [String] = [
        "2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
        "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "2025-04-04",
    ]
    /// First version with the password endpoint.
    public static let passwordSince = "2013-04-04"

    /// Picks the newest version that both the server lists and we know; `latest` when the
    /// listing holds none we know (a hand-made drive, or only unknown newer dates: those
    /// are accepted, never an error, and `latest` serves them).
    public static func choose(fromListing listing: String) -> String {
        let offered = Set(listing.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() })
        return known.last(where: offered.contains) ?? "latest"
    }

    /// Whether `version` (a date or `latest`) has the password endpoint.
    public static func hasPasswordEndpoint(_ version: String) -> Bool {
        version == "latest" || version >= passwordSince
    }
}
