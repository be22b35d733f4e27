import AgentBase
import DataSources
import FoundationEssentials
import HostEffects

/// The directory new homes are made in: `HOME` of the target root's /etc/default/useradd
/// (what `useradd -D` shows), `/home` when it is not set.
enum HomeBase {
    static let path = "/etc/default/useradd"
    static let fallback = "/home"

    /// The base, without trailing slashes; nil when the file sets one that no home can be
    /// given under (not absolute, or `/`, under which every system directory lies).
    static func read(root: SystemRoot) throws -> String? {
        var base = fallback
        let text = try AtomicFileWriter(root: root).read(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingWhitespace()
            guard trimmed.hasPrefix("HOME=") else { continue }
            var value = String(trimmed.dropFirst("HOME=".count))
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            base = value
        }
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("/"), base != "/" else { return nil }
        return base
    }
}
