import AgentBase
import DataSources
import FoundationEssentials

/// The instance state shared between the runner and plugins' `saveData`.
final class StateBox: @unchecked Sendable {
    private let lock = PlainLock()
    private var state: InstanceState
    init(initial: InstanceState) { state = initial }
    var value: InstanceState { lock.withLock { state } }
    func update(_ change: (inout InstanceState) throws -> Void) throws {
        try lock.withLock {
            var copy = state
            try change(&copy)
            state = copy
        }
    }
}
