import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

#if canImport(Glibc)
import Glibc
#endif

/// One reversible step that stops the image's own configuration from fighting ours.
public enum ConflictAction: Sendable, Equatable, CustomStringConvertible {
    /// Rename a whole file out of the backend's sight (undo: rename it back).
    case move(from: String, to: String)
    /// Rewrite a shared file with some lines commented out by `ConflictingConfig.marker`
    /// (undo: delete the marker) and/or a `source` line added.
    case rewrite(path: String, contents: Data, note: String)

    public var description: String {
        switch self {
        case .move(let from, let to): "disable \(from) (renamed to \(to))"
        case .rewrite(let path, _, let note): "edit \(path): \(note)"
        }
    }
}

/// Finds the image's configuration for the interfaces we configure: a catch-all or
/// per-interface DHCP `.network`, an ENI stanza, a netplan file or a keyfile naming the NIC.
/// Every step is reversible and documented in the README (and logged when done).
public enum ConflictingConfig {
    /// Lines the agent commented out start with this; remove it to undo.
    public static let marker = "#guest-agent-disabled# "
    /// Suffix of renamed netplan and networkd files (neither reads such names).
    public static let disabledSuffix = ".guest-agent-disabled"
    /// NetworkManager reads every file in system-connections, whatever its name, so its
    /// keyfiles are moved out of the directory, here.
    public static let networkManagerDisabledDirectory = "/etc/NetworkManager/guest-agent-disabled"

    public static func find(_ renderer: NetworkRenderer, network: ResolvedNetwork, root: SystemRoot) throws
        -> [ConflictAction]
    {
        // A renamed NIC's image configuration names it by the kernel's name.
        let names = network.interfaces.map(\.name) + network.interfaces.compactMap(\.kernelName)
        let macs = network.interfaces.compactMap(\.macAddress)
        switch renderer {
        case .netplan, .auto:
            return try files(in: "/etc/netplan", root: root).compactMap { name, text in
                guard name.hasSuffix(".yaml"), name != "50-guest-agent.yaml",
                    mentions(text, names: names, macs: macs) || netplanNameGlobMatches(text, names: names)
                else { return nil }
                return .move(from: "/etc/netplan/" + name, to: "/etc/netplan/" + name + disabledSuffix)
            }
        case .networkd:
            return try files(in: NetworkdRenderer.directory, root: root).compactMap { name, text in
                guard name.hasSuffix(".network"), !name.hasPrefix(NetworkdRenderer.prefix),
                    NetworkdMatch.matches(text, names: names, macs: macs)
                else { return nil }
                let path = NetworkdRenderer.directory + "/" + name
                return .move(from: path, to: path + disabledSuffix)
            }
        case .networkmanager:
            return try files(in: NetworkManagerRenderer.directory, root: root).compactMap { name, text in
                guard !name.hasPrefix(NetworkManagerRenderer.prefix) else { return nil }
                let lower = text.lowercased()
                let hit =
                    names.contains { lower.contains("interface-name=\($0.lowercased())\n") }
                    || macs.contains { lower.contains("mac-address=\($0)") }
                guard hit else { return nil }
                return .move(
                    from: NetworkManagerRenderer.directory + "/" + name,
                    to: networkManagerDisabledDirectory + "/" + name)
            }
        case .eni:
            var actions: [ConflictAction] = []
            let main = "/etc/network/interfaces"
            let mainText = try read(main, root: root) ?? ""
            var edit = ENIStanzas.disable(mainText, names: names, marker: marker)
            if !ENIStanzas.sourcesOurFile(edit.text) {
                edit.text +=
                    (edit.text.isEmpty || edit.text.hasSuffix("\n") ? "" : "\n") + "source \(ENIRenderer.path)\n"
                edit.notes.append("source \(ENIRenderer.path)")
            }
            if edit.text != mainText {
                actions.append(
                    .rewrite(path: main, contents: Data(edit.text.utf8), note: edit.notes.joined(separator: "; ")))
            }
            for (name, text) in try files(in: "/etc/network/interfaces.d", root: root) where name != "50-guest-agent" {
                let other = ENIStanzas.disable(text, names: names, marker: marker)
                if other.text != text {
                    actions.append(
                        .rewrite(
                            path: "/etc/network/interfaces.d/" + name, contents: Data(other.text.utf8),
                            note: other.notes.joined(separator: "; ")))
                }
            }
            return actions
        }
    }

    /// Carries the actions out through the writer (never through a symbolic link).
    static func perform(_ action: ConflictAction, writer: AtomicFileWriter) throws {
        switch action {
        case .move(let from, let to):
            try writer.makeDirectory(SystemRoot.parentAndName(of: to).parent, createOnly: true)
            // An older disabled copy of the same name is kept aside, never overwritten.
            if (try writer.read(to)) != nil { try writer.moveAside(to, tag: "old") }
            try writer.moveIntoPlace(from, at: to)
        case .rewrite(let path, let contents, _):
            let mode = (try? writer.root.resolve(path)).flatMap(permissions(of:))
            try writer.write(contents, to: path, mode: mode ?? 0o644)
        }
    }

    /// The permission bits of `hostPath` (lstat(2): a symbolic link is never followed), nil
    /// when it cannot be read. stat rather than FileManager's attributes, whose `NSNumber`
    /// values are corelibs Foundation (ICU's data, issue 12).
    private static func permissions(of hostPath: String) -> mode_t? {
        var info = stat()
        guard lstat(hostPath, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    private static func mentions(_ text: String, names: [String], macs: [String]) -> Bool {
        let words = Set(
            text.lowercased().split {
                !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." || $0 == ":")
            }.map {
                String($0).trimmingScalars(where: { "\"':".unicodeScalars.contains($0) })
            })
        return names.contains { words.contains($0.lowercased()) } || macs.contains { words.contains($0) }
    }

    /// True when a `match: name:` of a netplan file is a glob that takes one of `names` (the
    /// `name: en*` catch-all of Debian's cloud images): netplan renders it as a networkd file
    /// that sorts before ours, so networkd would apply it instead.
    public static func netplanNameGlobMatches(_ text: String, names: [String]) -> Bool {
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = Substring(raw.trimmingWhitespace())
            if line.hasPrefix("- ") { line = Substring(line.dropFirst(2).trimmingWhitespace()) }
            guard line.hasPrefix("name:") else { continue }
            var value = line.dropFirst("name:".count)
            if let comment = value.firstRange(of: " #") { value = value[..<comment.lowerBound] }
            let pattern = String(value).trimmingWhitespace()
                .trimmingScalars(where: { "\"'".unicodeScalars.contains($0) })
            guard !pattern.isEmpty else { continue }
            if names.contains(where: { fnmatch(pattern, $0, 0) == 0 }) { return true }
        }
        return false
    }

    /// Regular files of a guest directory (name, text); symbolic links are not followed.
    private static func files(in directory: String, root: SystemRoot) throws -> [(String, String)] {
        let host = try root.resolve(directory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: host) else { return [] }
        return names.sorted().compactMap { name in
            var info = stat()
            guard lstat(host + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size < 1 << 20,
                let data = FileManager.default.contents(atPath: host + "/" + name)
            else { return nil }
            return (name, String(decoding: data, as: UTF8.self))
        }
    }

    private static func read(_ path: String, root: SystemRoot) throws -> String? {
        try AtomicFileWriter(root: root).read(path).map { String(decoding: $0, as: UTF8.self) }
    }
}
