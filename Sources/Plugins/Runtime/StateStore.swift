import AgentBase
import Crypto
import DataSources
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// Reads and writes the state directory. Layout (all JSON, written atomically):
/// `instances/<id>.json` per instance, `last-run.json` for `status`, `boots.json` (the last
/// few boots' summaries) for `analyze`.
public struct StateStore: Sendable {
    public let root: SystemRoot
    /// Guest path of the state directory (`state_dir`).
    public let directory: String
    private var writer: AtomicFileWriter { AtomicFileWriter(root: root) }

    public init(root: SystemRoot, directory: String) {
        self.root = root
        self.directory = directory
    }

    /// The file name for an instance id. Ids come from metadata, so anything outside a
    /// safe file-name alphabet is hex-encoded rather than used as a path. An id too long
    /// for that (over 100 bytes, or a safe id over 128) is named by its SHA-256, after a
    /// readable hex prefix: two ids never share a file, however long their common start.
    static func fileName(for instanceID: String) -> String {
        let bytes = Array(instanceID.utf8)
        let safe =
            bytes.count <= 128 && !instanceID.hasPrefix(".")
            && instanceID.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "-_.".unicodeScalars.contains($0)
            }
        if safe { return instanceID + ".json" }
        if bytes.count <= 100 { return "x-" + PlainFormat.hex(bytes) + ".json" }
        return "x-" + PlainFormat.hex(bytes.prefix(32)) + "-sha256-" + PlainFormat.hex(SHA256.hash(data: bytes))
            + ".json"
    }

    /// The name earlier versions gave a long id: the hex of its first 100 bytes, shared
    /// by every id with that start. Read (never written) so that an instance keeps its
    /// state across the upgrade; the instance id inside the file tells whose it is.
    static func legacyFileName(for instanceID: String) -> String? {
        let current = fileName(for: instanceID)
        guard current.contains("-sha256-") else { return nil }
        return "x-" + PlainFormat.hex(instanceID.utf8.prefix(100)) + ".json"
    }

    public func loadInstance(_ instanceID: String) throws -> InstanceState {
        let path = "\(directory)/instances/\(Self.fileName(for: instanceID))"
        var data = try writer.read(path)
        if data == nil, let legacy = Self.legacyFileName(for: instanceID),
            let old = try? writer.read("\(directory)/instances/\(legacy)"),
            (try? Self.decoder.decode(InstanceState.self, from: old))?.instanceID == instanceID
        {
            data = old
        }
        guard let data else { return InstanceState(instanceID: instanceID) }
        do {
            let state = try Self.decoder.decode(InstanceState.self, from: data)
            return state.instanceID == instanceID ? state : InstanceState(instanceID: instanceID)
        } catch {
            throw StateError.corrupt(path: try root.resolve(path), reason: "\(error)")
        }
    }

    public func saveInstance(_ state: InstanceState) throws {
        try writer.makeDirectory("\(directory)/instances", mode: 0o700)
        try writer.write(
            try Self.encoder.encode(state), to: "\(directory)/instances/\(Self.fileName(for: state.instanceID))",
            mode: 0o600)
    }

    /// Saves `summary` as `last-run.json` (what `status` reads) and adds it to the boot
    /// history (`recordBoot`), with one sync of the state directory for both files.
    public func saveRun(_ summary: RunSummary) throws {
        let pending = PendingDirectorySyncs()
        defer { pending.flush() }
        let writer = AtomicFileWriter(root: root, pendingDirectorySyncs: pending)
        try writer.makeDirectory(directory, mode: 0o700)
        try writer.write(try Self.encoder.encode(summary), to: "\(directory)/last-run.json", mode: 0o600)
        try recordBoot(summary, writer: writer)
    }

    public func loadSummary() throws -> RunSummary? {
        guard let data = try writer.read("\(directory)/last-run.json") else { return nil }
        return try Self.decoder.decode(RunSummary.self, from: data)
    }

    /// Adds `summary` to `boots.json` (what `analyze` reads): it replaces the entry of the
    /// same boot (the network stage's summary includes its boot's local stage), and only the
    /// last `BootHistory.limit` boots are kept, so the file never grows without bound.
    public func recordBoot(_ summary: RunSummary) throws {
        try recordBoot(summary, writer: writer)
    }

    private func recordBoot(_ summary: RunSummary, writer: AtomicFileWriter) throws {
        var history = (try? loadHistory()) ?? BootHistory()
        history.record(summary)
        try writer.makeDirectory(directory, mode: 0o700)
        try writer.write(try Self.encoder.encode(history), to: "\(directory)/boots.json", mode: 0o600)
    }

    /// The saved boot history, nil when there is none (state written before it existed).
    /// Throws `StateError.corrupt` naming the file when it does not decode.
    public func loadHistory() throws -> BootHistory? {
        let path = "\(directory)/boots.json"
        guard let data = try writer.read(path) else { return nil }
        do {
            return try Self.decoder.decode(BootHistory.self, from: data)
        } catch {
            throw StateError.corrupt(path: try root.resolve(path), reason: "\(error)")
        }
    }

    /// Forgets every instance (`guest-agent clean`): the next run is a first boot.
    /// Symbolic links are refused, never followed (`AtomicFileWriter.remove`).
    public func clean() throws {
        for name in ["instances", "last-run.json", "boots.json"] {
            try writer.remove("\(directory)/\(name)")
        }
    }

    /// Moves an unreadable instance file aside (`<id>.json.corrupt-N`, never overwriting
    /// an earlier copy) so the run can start fresh; returns where it went.
    @discardableResult
    public func quarantineInstance(_ instanceID: String) throws -> String {
        try writer.moveAside("\(directory)/instances/\(Self.fileName(for: instanceID))", tag: "corrupt")
    }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

public enum StateError: Error, CustomStringConvertible {
    case corrupt(path: String, reason: String)
    public var description: String {
        switch self {
        case .corrupt(let path, let reason): "state file \(path) is unreadable: \(reason)"
        }
    }
}
