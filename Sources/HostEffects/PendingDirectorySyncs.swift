import AgentBase

/// Directories holding renames that are not yet durable, synced together at the end of a
/// plugin step (issue 31: durability at the grain of a step, not of a file).
///
/// Why this is as safe as a sync per file: an `AtomicFileWriter` that defers to this still
/// makes a file's data durable (fsync) before renaming it into place, so after a crash a
/// file is the old one or the whole new one, never half-written. What waits is only the
/// directory entry of the rename; the pipeline flushes it before the state records the step
/// as done, and before a plugin saves progress (`PluginContext.saveState`). A crash before
/// the flush can at worst lose the new name, so the step, not recorded as done, runs again.
public final class PendingDirectorySyncs: @unchecked Sendable {
    private let lock = PlainLock()
    private var directories: [String] = []

    public init() {}

    /// Notes that `hostDirectory` has a rename to make durable.
    public func add(_ hostDirectory: String) {
        lock.withLock {
            if !directories.contains(hostDirectory) { directories.append(hostDirectory) }
        }
    }

    /// How many directories wait for a sync (for tests).
    public var count: Int { lock.withLock { directories.count } }

    /// Makes every noted rename durable: one fsync per directory, each directory once
    /// however many files the step renamed in it.
    ///
    /// Why not `syncfs`: a step touches one to three directories (/etc/ssh, /etc,
    /// /etc/netplan), and syncfs would also flush whatever else is dirty on the filesystem
    /// at boot (the journal, other units' writes), for no gain here.
    public func flush() {
        let waiting = lock.withLock {
            defer { directories.removeAll() }
            return directories
        }
        for directory in waiting {
            AtomicFileWriter.syncDirectory(directory)
        }
    }
}
