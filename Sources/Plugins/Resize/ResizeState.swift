/// What the resize plugin keeps between boots (per instance): the mount points whose
/// lower layer (partition, physical volume) grew while a higher one could not follow, so
/// the next boot runs the remaining steps even if sizes alone would not show it.
struct ResizeState: Codable, Sendable, Equatable {
    /// Mount point (host path) -> the error that left it unfinished.
    var pending: [String: String] = [:]
    /// Mount point -> the device size its filesystem was last grown to. Why: a mounted
    /// xfs keeps its superblock in its own buffer cache, so reading the device right after
    /// `xfs_growfs` still shows the old size until the metadata is written back.
    var grownTo: [String: Int64] = [:]

    var isEmpty: Bool { pending.isEmpty && grownTo.isEmpty }
}
