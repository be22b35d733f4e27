import AgentBase
import FoundationEssentials
import Logging

/// What runs, where its state and log go, and how it waits (the runtime's settings).
/// Defaults are the initial values below, declared once: agent.conf.sample shows them.
public struct RunConfig: SettingsGroup {
    /// `plugins`
    public var plugins: [String] = PluginRegistry.defaultPluginIDs
    /// `state_dir`
    public var stateDir: String = "/var/lib/guest-agent"
    /// `log_file`
    public var logFile: String = ""
    /// `log_level`
    public var logLevel: Logger.Level = .info
    /// `run_lock_timeout`
    public var runLockTimeout: Double = 60
    /// `allow_reboot`
    public var allowReboot: Bool = true

    public init() {}

    static let title = "The run"
    static let keys: [SettingKey<Self>] = [
        SettingKey(
            name: "plugins",
            help: "Plugins to run, in order.",
            show: { ConfigSchema.show($0.plugins) },
            apply: { $0.plugins = try ConfigSchema.ids($1, known: PluginRegistry.knownIDs) }
        ),
        SettingKey(
            name: "state_dir",
            help: "Where per-instance state is kept (under --root when given).",
            show: { $0.stateDir },
            apply: { $0.stateDir = try ConfigSchema.guestPath($1) }
        ),
        SettingKey(
            name: "log_file",
            help: "Also log to this file (under --root when given); empty: standard error only.",
            show: { $0.logFile },
            apply: { $0.logFile = $1.isEmpty ? "" : try ConfigSchema.guestPath($1) }
        ),
        SettingKey(
            name: "log_level",
            help: "trace, debug, info, notice, warning, error or critical.",
            show: { $0.logLevel.rawValue },
            apply: { $0.logLevel = try ConfigSchema.choice($1) }
        ),
        SettingKey(
            name: "run_lock_timeout",
            help: "Seconds to wait for another run on the same root to finish (then exit 75).",
            show: { ConfigSchema.show($0.runLockTimeout) },
            apply: { $0.runLockTimeout = try ConfigSchema.seconds($1, in: 0...3600) }
        ),
        SettingKey(
            name: "allow_reboot",
            help: "Reboot when a plugin needs it (only when the root is /); the remaining plugins run after.",
            show: { String($0.allowReboot) },
            apply: { $0.allowReboot = try ConfigSchema.boolean($1) }
        ),
    ]
}
