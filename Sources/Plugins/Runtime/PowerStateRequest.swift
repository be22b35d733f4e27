import AgentBase
import FoundationEssentials

/// A power state change asked for by cloud-config `power_state` (cloud-init's
/// cc_power_state_change): carried out by `AgentRun` after the boot's last plugin, once the
/// state and the summary are saved, on the live system only (`PowerStateAction`).
public struct PowerStateRequest: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        case poweroff, reboot, halt

        /// shutdown(8)'s option for the mode (cloud-init's `shutdown_options_map`).
        var shutdownOption: String {
            switch self {
            case .poweroff: "-P"
            case .reboot: "-r"
            case .halt: "-H"
            }
        }
    }

    /// When the change happens at all: always, never, or when a command exits 0.
    public enum Condition: Sendable, Equatable {
        case always(Bool)
        /// An argv (a string condition comes as `/bin/sh -c string`, as cloud-init runs it
        /// with `shell=True`); exit 0 is met, any other status is not.
        case command([String])
    }

    public var mode: Mode
    /// Minutes to wait (shutdown's `+N`); nil is `now`.
    public var delayMinutes: Int?
    public var message: String?
    /// cloud-init's `timeout` (default 30 s): how long it waits for itself to end before the
    /// change. The agent acts after its own run has ended, so here it bounds the condition
    /// command instead.
    public var timeoutSeconds: Double
    public var condition: Condition

    public init(
        mode: Mode, delayMinutes: Int? = nil, message: String? = nil, timeoutSeconds: Double = 30,
        condition: Condition = .always(true)
    ) {
        self.mode = mode
        self.delayMinutes = delayMinutes
        self.message = message
        self.timeoutSeconds = timeoutSeconds
        self.condition = condition
    }

    /// The command cloud-init's Debian distro runs: `shutdown -P|-r|-H now|+N [message]`.
    public var shutdownArgv: [String] {
        var argv = ["shutdown", mode.shutdownOption, delayMinutes.map { "+\($0)" } ?? "now"]
        if let message, !message.isEmpty { argv.append(message) }
        return argv
    }

    /// "reboot +5", "poweroff now", with the condition when there is one.
    public var describe: String {
        var text = "\(mode.rawValue) \(delayMinutes.map { "+\($0) min" } ?? "now")"
        switch condition {
        case .always(true): break
        case .always(false): text += ", condition false"
        case .command(let argv): text += ", if `\(TextPreview.line(argv.last ?? ""))` exits 0"
        }
        return text
    }
}

/// What the plugins hand to the end of the run, shared by the contexts of one run (cloud-config
/// `power_state`: the last request wins, as the last cloud-config part's key does in
/// cloud-init's merge).
public final class EndOfRunRequests: @unchecked Sendable {
    private let lock = PlainLock()
    private var requested: PowerStateRequest?

    public init() {}

    public var powerState: PowerStateRequest? { lock.withLock { requested } }

    public func requestPowerState(_ request: PowerStateRequest) {
        lock.withLock { requested = request }
    }
}
