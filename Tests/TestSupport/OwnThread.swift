import Foundation

/// Blocking work (waiting for a process, reading a pipe to its end) on a thread of its own,
/// awaited through a continuation.
///
/// Why: swift-testing runs every test as a task on the Swift concurrency pool, which has one
/// thread per core (two here). A test that blocks one of them for the seconds a real tool or
/// the built agent takes holds it from every other test, and a test measuring a deadline
/// then measures the wait for a free thread instead (issue 23). Here the awaiting task holds
/// no thread while the work runs.
public enum OwnThread {
    /// Runs `body` on a new thread and returns (or throws) what it did.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `body` on a new thread and returns what it did.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }
}
