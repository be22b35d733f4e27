import AgentBase
import FoundationEssentials

/// One DMI/SMBIOS string that marks a platform (`sys_vendor` is `DigitalOcean`), read under
/// the injected root from `/sys/class/dmi/id/<field>`.
///
/// The clouds' sources read their signal before anything else and make no request at all
/// when it is absent: on any other machine they cost a few file reads, never a timeout.
public struct DMISignal: Sendable, Equatable, CustomStringConvertible {
    /// How the field's value is compared (after trimming whitespace and newlines).
    public enum Match: Sendable, Equatable {
        case equals(String)
        case hasPrefix(String)
        /// Holds the text in any case: cloud-init's VMware check (`"vmware" in name.lower()`).
        case containsIgnoringCase(String)
    }

    /// The file's name in `/sys/class/dmi/id/` (`sys_vendor`, `product_name`, `product_serial`,
    /// `chassis_asset_tag`, `bios_vendor`).
    public var field: String
    public var match: Match

    public init(_ field: String, _ match: Match) {
        self.field = field
        self.match = match
    }

    /// `DMI sys_vendor is 'DigitalOcean'`, `DMI product_serial starts with 'GoogleCloud-'`.
    public var description: String {
        switch match {
        case .equals(let text): "DMI \(field) is '\(text)'"
        case .hasPrefix(let text): "DMI \(field) starts with '\(text)'"
        case .containsIgnoringCase(let text): "DMI \(field) contains '\(text)' (any case)"
        }
    }

    /// Whether `root`'s DMI strings carry this signal.
    public func isPresent(under root: SystemRoot) -> Bool {
        guard let value = Self.read(field, under: root) else { return false }
        switch match {
        case .equals(let text): return value == text
        case .hasPrefix(let text): return value.hasPrefix(text)
        case .containsIgnoringCase(let text): return value.lowercased().contains(text.lowercased())
        }
    }

    /// The first of `signals` present under `root`, nil when none is.
    public static func first(of signals: [DMISignal], under root: SystemRoot) -> DMISignal? {
        signals.first { $0.isPresent(under: root) }
    }

    /// `/sys/class/dmi/id/<field>` under `root`, trimmed; nil when missing, empty or not UTF-8.
    /// At most 256 bytes are kept: SMBIOS strings are short, and a fake root could hold anything.
    public static func read(_ field: String, under root: SystemRoot) -> String? {
        guard let path = try? root.resolve("/sys/class/dmi/id/\(field)"),
            let data = FileManager.default.contents(atPath: path),
            let value = String(data: data.prefix(256), encoding: .utf8)?.trimmingWhitespaceAndNewlines(),
            !value.isEmpty
        else { return nil }
        return value
    }
}
