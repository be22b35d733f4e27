import DataSources
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Whether a `.network` file's `[Match]` section would catch one of our interfaces:
/// `Name=` globs (fnmatch, space-separated, `!` negation not honoured: treated as a
/// match, the safe side) and `MACAddress=`. No `[Match]` keys at all matches everything.
enum NetworkdMatch {
    static func matches(_ text: String, names: [String], macs: [String]) -> Bool {
        var section = ""
        var namePatterns: [String] = []
        var macList: [String] = []
        var otherKeys = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingWhitespace()
            if line.hasPrefix("[") {
                section = line
                continue
            }
            guard section == "[Match]", let equals = line.firstIndex(of: "="), !line.hasPrefix("#"),
                !line.hasPrefix(";")
            else { continue }
            let key = line[..<equals].trimmingWhitespace()
            let values = line[line.index(after: equals)...].split(separator: " ").map(String.init)
            switch key {
            case "Name": namePatterns += values.map { $0.hasPrefix("!") ? "*" : $0 }
            case "MACAddress", "PermanentMACAddress": macList += values.compactMap(MACAddress.normalize)
            default: otherKeys = true
            }
        }
        if namePatterns.isEmpty && macList.isEmpty { return !otherKeys }
        if names.contains(where: { name in namePatterns.contains { fnmatch($0, name, 0) == 0 } }) { return true }
        return macs.contains { macList.contains($0) }
    }
}
