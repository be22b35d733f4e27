import AgentBase
import DataSources
import Foundation
import HostEffects
import Logging
import Plugins

/// Simulated boots of one instance for the userdata plugin: each `boot` runs the pipeline
/// with the same root and state directory, as the next boot of the machine would.
public final class UserDataBoots: @unchecked Sendable {
    public let root: String
    public var config: AgentConfig
    public var userData: Data
    /// When set, the source could not read the user data (it is `.unreadable`, not `userData`).
    public var unreadable: DocumentReadError?
    /// Vendor data in user data's formats (NoCloud's `vendor-data`), nil for none.
    public var vendorData: Data?
    /// The instance id of the boots; another id is another instance (its first boot).
    public var instanceID = PluginTestContext.sampleMetadata().instanceID
    public let logs = LogCapture()
    /// The instance's public keys (nil: the sample metadata's one ed25519 key).
    public var publicKeys: [PublicKeyEntry]?
    public private(set) var console: [String] = []
    private let lock = NSLock()

    public init(root: String, userData: Data, config: AgentConfig = AgentConfig()) {
        self.root = root
        self.userData = userData
        self.config = config
    }

    public var metadata: InstanceMetadata {
        var metadata =
            publicKeys.map { PluginTestContext.sampleMetadata(instanceID: instanceID, keys: $0) }
            ?? PluginTestContext.sampleMetadata(instanceID: instanceID)
        metadata.userData = userData
        if let unreadable { metadata.userDataDocument = .unreadable(unreadable) }
        metadata.vendorUserData = vendorData
        return metadata
    }

    /// One boot (or `--dry-run`): the userdata plugin's record.
    public func boot(dryRun: Bool = false) async -> PluginRecord {
        let store = StateStore(root: SystemRoot(root), directory: config.run.stateDir)
        let runner = PipelineRunner(
            plugins: [PluginRegistry.make("userdata")!], store: store, dryRun: dryRun, logger: logs.logger())
        let systemRoot = SystemRoot(root)
        let records = await runner.run(
            makeContext: { [config, logs] metadata, saved, save in
                PluginContext(
                    metadata: metadata, config: config, root: systemRoot,
                    runner: SubprocessCommandRunner(tools: ToolLocator(root: systemRoot)),
                    http: MetadataHTTPClient(policy: RetryPolicy(retries: 0, requestTimeout: 1)),
                    logger: logs.logger(), savedState: saved, saveState: save,
                    console: { [weak self] line in self?.lock.withLock { self?.console.append(line) } })
            }, metadata: metadata, stage: .network)
        return records[0]
    }

    /// The text of a guest file, nil when missing.
    public func read(_ guestPath: String) -> String? {
        FileManager.default.contents(atPath: root + guestPath).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Lines of a marker file the scripts append to.
    public func marks(_ guestPath: String) -> [String] {
        (read(guestPath) ?? "").split(separator: "\n").map(String.init)
    }
}
