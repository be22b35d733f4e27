import DataSources
import FoundationEssentials

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
    /// safe file-name alphabet is hex-encoded rather than used as a path.
    static func fileName(for instanceID: String) -> String {
        let safe =
            instanceID.utf8.count <= 128 && !instanceID.hasPrefix(".")
            && instanceID.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "-_.".unicodeScalars.contains($0)
            }
        if safe { return instanceID + ".json" }
        return "x-" + PlainFormat.hex(instanceID.utf8.prefix(100)) + ".json"
    }

    public func loadInstance(_ instanceID: String) throws -> InstanceState {
        let path = "\(directory)/instances/\(Self.fileName(for: instanceID))"
        guard let data = try writer.read(path) else { return InstanceState(instanceID: instanceID) }
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

    public func saveSummary(_ summary: RunSummary) throws {
        try writer.makeDirectory(directory, mode: 0o700)
        try writer.write(try Self.encoder.encode(summary), to: "\(directory)/last-run.json", mode: 0o600)
    }

    public func loadSummary() throws -> RunSummary? {
        guard let data = try writer.read("\(directory)/last-run.json") else { return nil }
        return try Self.decoder.decode(RunSummary.self, from: data)
    }

    /// Adds `summary` to `boots.json` (what `analyze` reads): it replaces the entry of the
    /// same boot (the network stage's summary includes its boot's local stage), and only the
    /// last `BootHistory.limit` boots are kept, so the file never grows without bound.
    public func recordBoot(_ summary: RunSummary) throws {
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
