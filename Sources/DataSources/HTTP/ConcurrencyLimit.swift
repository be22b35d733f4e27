import AgentBase
import FoundationEssentials

/// At most `capacity` callers hold a slot at once; the others wait in arrival order. A
/// waiting task that is cancelled stops waiting at once (the discovery deadline holds).
///
/// Why: thousands of instances may boot against one metadata service, and a source that
/// lists many leaves would otherwise open one connection per leaf at the same moment.
final class ConcurrencyLimit: @unchecked Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = PlainLock()
    private var available: Int
    private var waiters: [Waiter] = []
    private var nextID: UInt64 = 0

    init(capacity: Int) {
        available = max(1, capacity)
    }

    /// Runs `body` while holding a slot.
    func withSlot<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async throws {
        let id = lock.withLock {
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Under the lock: either the cancellation handler already ran (then the task
                // is marked cancelled here) or it will find this waiter in the queue.
                let outcome: Result<Void, any Error>? = lock.withLock {
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if available > 0 {
                        available -= 1
                        return .success(())
                    }
                    waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let cancelled = lock.withLock { () -> Waiter? in
                guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return waiters.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    private func release() {
        let next = lock.withLock { () -> Waiter? in
            if waiters.isEmpty {
                available += 1
                return nil
            }
            return waiters.removeFirst()
        }
        next?.continuation.resume()
    }
}
