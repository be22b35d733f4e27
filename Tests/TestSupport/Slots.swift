import Foundation

/// A bound on how much of one kind of work the tests do at once, waited for without holding
/// a thread.
///
/// Why: work moved off the Swift concurrency pool (`Program.run`, `OwnThreadTrait`) is no
/// longer bounded by the pool's width (one thread per core) by accident. Without a bound
/// every end-to-end test would start its agent and its mock server at the same moment, and
/// what the tests time (an agent that must give up within its 5 s deadline, a 100 ms wait)
/// would be measuring a machine with a hundred busy threads on two cores.
actor Slots {
    private static let cores = max(2, ProcessInfo.processInfo.activeProcessorCount)

    /// Programs run by `Program.run`, and mock servers until they listen. A program's timeout
    /// and `ProgramResult.elapsed` start once it is started, after the wait for a slot.
    static let programs = Slots(width: cores)
    /// Tests that compute for seconds (`OwnThreadTrait.Reason.computes`): one per core.
    static let computingTests = Slots(width: cores)
    /// Tests that time deadlines (`OwnThreadTrait.Reason.timesDeadlines`): they mostly wait,
    /// so several per core, but not all of them at once.
    static let timingTests = Slots(width: 4 * cores)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) {
        free = width
    }

    /// Runs `body` once a slot is free, and frees it after.
    nonisolated func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    private func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot to the longest waiter, or frees it.
    private func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
