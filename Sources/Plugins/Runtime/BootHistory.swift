import FoundationEssentials

/// The last few boots' run summaries (`state_dir/boots.json`), newest last: what
/// `guest-agent analyze` reads. One entry per boot id, the last run of that boot.
public struct BootHistory: Codable, Sendable, Equatable {
    /// Boots kept; older ones are dropped so the file stays small.
    public static let limit = 10

    public var boots: [RunSummary]

    public init(boots: [RunSummary] = []) {
        self.boots = boots
    }

    /// Adds `summary`: it replaces the entry of the same boot (a later stage or a second
    /// run in that boot), else it is appended; then only the newest `limit` are kept.
    /// A summary without a boot id (no /proc) is always a boot of its own.
    public mutating func record(_ summary: RunSummary) {
        if let bootID = summary.bootID, let index = boots.firstIndex(where: { $0.bootID == bootID }) {
            boots.remove(at: index)
        }
        boots.append(summary)
        if boots.count > Self.limit { boots.removeFirst(boots.count - Self.limit) }
    }
}
