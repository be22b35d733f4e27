import Testing

/// Runs each test of a suite (or one test) on a thread of its own instead of the Swift
/// concurrency pool.
///
/// Why: swift-testing starts every test at once as a task on the pool, which has one thread
/// per core. Until the tests started first have computed their way to a wait, a task that
/// resumes (after a `Task.sleep`, a reply, a drive read) waits behind them in the pool's
/// queue: seconds at the start of a run, more while tests that compute for seconds hold
/// both threads. That breaks two kinds of tests, each with its `Reason`.
public struct OwnThreadTrait: SuiteTrait, TestTrait, TestScoping {
    public enum Reason: Sendable {
        /// The test computes for seconds without waiting (garbage-input sweeps, synthesized
        /// volumes): on the pool it would hold a thread from every other test. At most one
        /// such test per core runs at a time (`Slots.computingTests`).
        case computes
        /// The test checks a deadline, a timeout or a budget of the agent's code in this
        /// process: on the pool it would measure the queue of the other tests' work instead.
        /// The agent has a process, and so a pool, of its own; here the test has a thread,
        /// and runs at high priority, so that the tasks the agent's code starts outside it
        /// (`Task {}`, on the pool) are run before the other tests' work too. A few per core
        /// run at a time (`Slots.timingTests`).
        case timesDeadlines
    }

    public let reason: Reason
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // The suite's own scope holds nothing: each test case gets its thread.
        guard testCase != nil else { return try await function() }
        switch reason {
        case .computes:
            try await Slots.computingTests.withSlot { try await Self.onOwnThread(function) }
        case .timesDeadlines:
            try await Slots.timingTests.withSlot { try await Self.onOwnThread(priority: .high, function) }
        }
    }

    /// Runs `function`, and the child tasks it makes, on a new thread.
    private static func onOwnThread(
        priority: TaskPriority? = nil, _ function: @Sendable () async throws -> Void
    ) async throws {
        let executor = ThreadExecutor()
        defer { executor.stop() }
        try await withTaskExecutorPreference(executor) {
            try await withoutActuallyEscaping(function) { function in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask(priority: priority) { try await function() }
                    try await group.waitForAll()
                }
            }
        }
    }
}

extension Trait where Self == OwnThreadTrait {
    /// See `OwnThreadTrait`.
    public static func ownThread(_ reason: OwnThreadTrait.Reason) -> Self {
        Self(reason: reason)
    }
}
