import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on one root's state directory (`state_dir/run.lock`, flock(2)),
/// held for a whole `run` or `clean`.
///
/// Why: two runs at once on one root (a unit started twice, an operator's `run` during
/// boot) interleave their plugins; the probe saw a published password that did not match
/// /etc/shadow in 20 of 20 tries. The lock is released by the kernel when the process
/// ends, so a crashed run never leaves it held.
public final class RunLock: Sendable {
    private let descriptor: Int32
    /// Host path of the lock file, for messages.
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Waits up to `timeout` seconds for the lock (sleeping, not spinning).
    /// Throws `RunLockError.busy` when another run still holds it then.
    public static func acquire(store: StateStore, timeout: Double) async throws -> RunLock {
        let writer = AtomicFileWriter(root: store.root)
        try writer.makeDirectory(store.directory, mode: 0o700, createOnly: true)
        let guestPath = "\(store.directory)/run.lock"
        let descriptor = try writer.openForAppend(guestPath, mode: 0o600)
        let lock = RunLock(descriptor: descriptor, path: try store.root.resolve(guestPath))
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw HostError.io(path: lock.path, operation: "flock", errno: errno)
            }
            guard ContinuousClock.now < deadline else { throw RunLockError.busy(path: lock.path, waited: timeout) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return lock
    }

    /// Whether a run holds the lock of `store`'s root right now (`status --wait`). Takes a
    /// shared lock for an instant and never creates anything: no lock file means no run.
    public static func isHeld(store: StateStore) -> Bool {
        guard let path = try? store.root.resolve("\(store.directory)/run.lock") else { return false }
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(descriptor, LOCK_UN)
        return false
    }
}

public enum RunLockError: Error, CustomStringConvertible, Equatable {
    case busy(path: String, waited: Double)
    public var description: String {
        switch self {
        case .busy(let path, let waited):
            "another guest-agent run holds \(path) (waited \(PlainFormat.shortDecimal(waited)) s); try again when it has finished"
        }
    }
}
