#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A mutual-exclusion lock over a pthread mutex, for the classes that guard a few fields
/// (`@unchecked Sendable`). Why not `NSLock`: it lives in corelibs Foundation, whose use links
/// ICU's 34 MB of data into the agent (issue 12). Why not `Synchronization.Mutex`: it owns the
/// guarded value, and these classes guard several stored properties, read under one lock.
public final class PlainLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the lock held (not reentrant: `body` must not take it again).
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
