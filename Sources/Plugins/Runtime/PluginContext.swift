import AgentBase
import DataSources
import FoundationEssentials
import HostEffects
import Logging

/// Everything a plugin may use. Built once per run by the pipeline.
public struct PluginContext: Sendable {
    public let metadata: InstanceMetadata
    public let config: AgentConfig
    public let root: SystemRoot
    /// Writes the plugin's files; in a pipeline step, the directories' syncs wait for the
    /// end of the step (`deferringDirectorySyncs(to:)`).
    public private(set) var writer: AtomicFileWriter
    public let runner: any CommandRunner
    /// Finds programs in the target root (what `runner` runs; `tools.find` tells a plugin
    /// whether an optional tool such as `visudo` is there).
    public let tools: ToolLocator
    public let http: MetadataHTTPClient
    /// The running system's host name; nil unless the agent acts on the running system.
    public let liveHostname: (any LiveHostname)?
    /// The running system's interfaces (renames); nil unless the agent acts on the running
    /// system.
    public let liveInterfaces: (any LiveInterfaces)?
    public let logger: Logger
    /// What this plugin saved for this instance on earlier runs (never secrets in clear);
    /// read it with `savedState(as:)`.
    public let savedState: JSONValue?
    private let persistState: @Sendable (JSONValue?) throws -> Void
    /// Writes a line to the console (EC2 `<Password>` publication); stdout by default.
    public let console: @Sendable (String) -> Void
    /// The stage running now: a local-stage plugin may also run in the network stage (no
    /// config drive this boot), and what it may do to the live system differs.
    public let stage: PluginStage
    /// What the user data's cloud-config says about the plugins that run before it (`user:`,
    /// `ssh_genkeytypes`, `ssh_deletekeys`), read once per run.
    public let userDataOverrides: UserDataOverrides
    /// The default user named by the user data's cloud-config (`user:`); nil when it names
    /// none. `AdminUser.name(for:)` puts it first.
    public var defaultUserName: String? { userDataOverrides.defaultUserName }
    /// What a plugin asks the end of the run to do (cloud-config `power_state`), shared by
    /// every context of one run; `AgentRun` carries it out after the last plugin.
    public let endOfRun: EndOfRunRequests

    public init(
        metadata: InstanceMetadata, config: AgentConfig, root: SystemRoot, runner: any CommandRunner,
        http: MetadataHTTPClient, logger: Logger, savedState: JSONValue? = nil,
        saveState: @escaping @Sendable (JSONValue?) throws -> Void = { _ in },
        console: @escaping @Sendable (String) -> Void = { print($0) }, liveHostname: (any LiveHostname)? = nil,
        liveInterfaces: (any LiveInterfaces)? = nil, stage: PluginStage = .network,
        userDataOverrides: UserDataOverrides = UserDataOverrides(),
        endOfRun: EndOfRunRequests = EndOfRunRequests()
    ) {
        self.endOfRun = endOfRun
        self.stage = stage
        self.userDataOverrides = userDataOverrides
        self.metadata = metadata
        self.config = config
        self.root = root
        self.writer = AtomicFileWriter(root: root)
        self.runner = runner
        self.tools = ToolLocator(root: root)
        self.http = http
        self.logger = logger
        self.savedState = savedState
        self.persistState = saveState
        self.console = console
        self.liveHostname = liveHostname
        self.liveInterfaces = liveInterfaces
    }
}

extension PluginContext {
    /// This context with its writer's directory syncs left to `pending`, which the pipeline
    /// flushes when the step ends or the plugin saves progress (see `PipelineRunner`).
    func deferringDirectorySyncs(to pending: PendingDirectorySyncs) -> PluginContext {
        var copy = self
        copy.writer = AtomicFileWriter(root: root, pendingDirectorySyncs: pending)
        return copy
    }

    /// This plugin's saved state for this instance as `type`, nil when nothing was saved.
    /// Throws `PluginStateError` when the saved JSON does not fit `type` (an older layout or
    /// a hand-edited file), so the plugin fails by name instead of guessing.
    public func savedState<State: Decodable>(as type: State.Type) throws -> State? {
        guard let savedState, savedState != .null else { return nil }
        do {
            return try savedState.decode(as: type)
        } catch {
            throw PluginStateError(type: "\(type)", detail: "\(error)")
        }
    }

    /// Persists `state` for this plugin and instance at once (atomically), so that a crash
    /// right after still finds it on the next boot; nil clears it. A dry run saves nothing.
    public func saveState(_ state: (some Encodable)?) throws {
        try persistState(try state.map(JSONValue.init(encoding:)))
    }

    /// Clears this plugin's saved state for this instance.
    public func clearState() throws {
        try persistState(nil)
    }
}

/// A plugin's saved state could not be read as the type it expects.
public struct PluginStateError: Error, CustomStringConvertible {
    public var type: String
    public var detail: String
    public var description: String { "the saved state does not read as \(type): \(detail)" }
}
