import AgentBase
import FoundationEssentials

/// Raised when the result of blocking work is no longer wanted (the discovery deadline
/// passed): the work checks it before each device read (`BlockReader`) and stops there.
public final class StopFlag: @unchecked Sendable {
    private let lock = PlainLock()
    private var raised = false

    public init() {}

    public var isRaised: Bool { lock.withLock { raised } }

    func raise() { lock.withLock { raised = true } }
}

/// Runs blocking reads of a local device on a thread of their own.
///
/// Why: the reads are synchronous, so run on the concurrency pool (two threads on a small
/// VM) they hold its threads, and neither the discovery deadline's timer nor anything else
/// can run until they return; a hung device then holds the boot for as long as it likes.
/// Here the waiting task holds no thread, and when it is cancelled (the deadline) the wait
/// ends at once with `VolumeReadError.stopped` naming the device, and `stop` is raised so
/// that the work ends at its next read. A read blocked in the kernel is left behind: its
/// thread ends when the read returns, or with the process.
enum BlockingWork {
    static func run<T: Sendable>(
        device path: String, stop: StopFlag, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        let once = OnceResume<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                once.attach(continuation)
                DetachedThread.start { once.resume(with: Result { try body() }) }
            }
        } onCancel: {
            stop.raise()
            once.resume(with: .failure(VolumeReadError.stopped(path: path)))
        }
    }

    /// A continuation resumed once, by whichever comes first: the work or the cancellation
    /// (which may come before the continuation exists).
    private final class OnceResume<T: Sendable>: @unchecked Sendable {
        private let lock = PlainLock()
        private var continuation: CheckedContinuation<T, any Error>?
        private var early: Result<T, any Error>?
        private var done = false

        func attach(_ continuation: CheckedContinuation<T, any Error>) {
            let pending: Result<T, any Error>? = lock.withLock {
                if let early { return early }
                self.continuation = continuation
                return nil
            }
            if let pending { continuation.resume(with: pending) }
        }

        func resume(with result: Result<T, any Error>) {
            let waiting: CheckedContinuation<T, any Error>? = lock.withLock {
                guard !done else { return nil }
                done = true
                guard let continuation else {
                    early = result
                    return nil
                }
                self.continuation = nil
                return continuation
            }
            waiting?.resume(with: result)
        }
    }
}
