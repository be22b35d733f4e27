import AgentBase
import DataSources
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Everything one run of the network plugin would change, computed without changing
/// anything (it backs both `plan` and `apply`).
struct NetworkChangeSet {
    enum Preparation {
        case skip(String)
        case ready(NetworkChangeSet)
    }

    var renderer: NetworkRenderer
    var rendererReason: String
    var network: ResolvedNetwork
    var warnings: [String]
    var files: [RenderedFile]
    /// Paths whose bytes or mode differ, with their current contents (nil: new file).
    var changed: [String: Data?]
    /// Files of ours from an earlier run that the new set does not contain.
    var stale: [String]
    var conflicts: [ConflictAction]

    static func prepare(_ context: PluginContext) throws -> Preparation {
        guard let description = context.metadata.network else { return .skip("metadata has no network description") }
        let config: NetworkConfiguration
        switch description {
        case .invalid(let error): throw NetworkPluginError.invalid(error, source: context.metadata.sourceID)
        // Validated once, by the source that made it (`NetworkDescription.make`).
        case .configuration(let value): config = value
        }
        guard !config.links.isEmpty else { return .skip("the network description has no links") }
        let resolved = NetworkResolver.resolve(config, nics: try GuestNICs.read(root: context.root))
        let warnings = config.skipped + resolved.warnings
        guard !resolved.network.interfaces.isEmpty else {
            return .skip(
                "no guest interface under /sys/class/net matches the metadata's MAC addresses or names: "
                    + warnings.joined(separator: "; "))
        }
        let (renderer, reason) = RendererSelection.choose(context.config.network.networkRenderer, root: context.root)
        let files = RendererSelection.render(renderer, resolved.network)
        var changed: [String: Data?] = [:]
        for file in files {
            let existing = try context.writer.read(file.path)
            if existing != file.contents || currentMode(file.path, root: context.root) != file.mode {
                changed[file.path] = existing
            }
        }
        return .ready(
            NetworkChangeSet(
                renderer: renderer, rendererReason: reason, network: resolved.network, warnings: warnings, files: files,
                changed: changed,
                stale: try staleFiles(renderer, keeping: Set(files.map(\.path)), root: context.root),
                conflicts: try ConflictingConfig.find(renderer, network: resolved.network, root: context.root)))
    }

    /// The NICs to rename now, (kernel name, new name): on the live system, before the files
    /// are written, as cloud-init's local stage renames them.
    var renames: [(from: String, to: String)] {
        network.interfaces.compactMap { interface in interface.kernelName.map { ($0, interface.name) } }
    }

    /// Interfaces whose configuration changed: all of them for one-file backends.
    var changedInterfaces: [String] {
        guard !changed.isEmpty || !stale.isEmpty else { return [] }
        let names = network.interfaces.map(\.name)
        guard renderer == .networkd || renderer == .networkmanager else { return names }
        return names.filter { name in changed.keys.contains { $0.contains("guest-agent-\(name).") } }
    }

    func activation(root: SystemRoot, stage: PluginStage) -> (commands: [[String]], note: String?) {
        // A NIC still to be renamed is looked up under the name it has now; it is renamed (and
        // so found under its new name) only while it is down.
        let downDevices = NetworkActivation.downInterfaces(network.interfaces.map(\.deviceName), root: root)
        let down = Set(network.interfaces.filter { downDevices.contains($0.deviceName) }.map(\.name))
        return NetworkActivation.commands(
            stage: stage, renderer: renderer, network: network, changedInterfaces: changedInterfaces, down: down,
            files: files.filter { changed[$0.path] != nil })
    }

    private static func currentMode(_ path: String, root: SystemRoot) -> mode_t? {
        guard let host = try? root.resolve(path) else { return nil }
        var info = stat()
        guard lstat(host, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    private static func staleFiles(_ renderer: NetworkRenderer, keeping: Set<String>, root: SystemRoot) throws
        -> [String]
    {
        try RendererSelection.ownedPatterns(renderer).flatMap { pattern -> [String] in
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.resolve(pattern.directory))
            else { return [] }
            return names.sorted().compactMap { name in
                let path = pattern.directory + "/" + name
                guard name.hasPrefix(pattern.prefix), pattern.suffixes.contains(where: { name.hasSuffix($0) }),
                    !name.hasPrefix("."), !keeping.contains(path)
                else { return nil }
                return path
            }
        }
    }
}
