import AgentBase
import FoundationEssentials

/// The cloud-config keys about the system, with cloud-init's meaning (its modules cc_mounts,
/// cc_ntp, cc_locale, cc_ca_certs, cc_power_state_change and its JSON schema):
/// `mounts`, `mount_default_fields`, `swap`, `ntp`, `locale`, `locale_configfile`,
/// `ca_certs` (and the older `ca-certs`), `power_state`.
///
/// Why a key that does not read is kept in `problems` instead of thrown: in cloud-init each
/// of these is a module of its own, and a bad `mounts` costs only `mounts`. The applier
/// reports each problem as that key's failure and applies the others.
struct SystemKeys: Sendable, Equatable {
    static let keys: Set<String> = [
        "mounts", "mount_default_fields", "swap", "ntp", "locale", "locale_configfile", "ca_certs", "ca-certs",
        "power_state",
    ]

    /// A key that did not read, and why (the error names the key and what it must be).
    struct Problem: Sendable, Equatable {
        var key: String
        var message: String
    }

    var mounts: MountsConfig?
    /// `swap` asked for a swap file (a size that is not 0): not supported, reported.
    var swapFileRequested = false
    var ntp: NTPConfig?
    var locale: LocaleConfig?
    var caCerts: CACertsConfig?
    var powerState: PowerStateRequest?
    var problems: [Problem] = []

    init() {}

    init(_ map: [String: YAMLValue]) {
        var problems: [Problem] = []
        func read<Value>(_ key: String, _ body: () throws -> Value) -> Value? {
            do { return try body() } catch {
                // The top-level key the error names (`mount_default_fields[2]` read with
                // `mounts`, `locale_configfile` with `locale`), else the key being read.
                var named = key
                if case CloudConfigError.type(let path, _) = error {
                    named = String(path.prefix { $0 != "." && $0 != "[" && $0 != " " })
                }
                problems.append(Problem(key: named, message: "\(error)"))
                return nil
            }
        }
        if map["mounts"] != nil || map["mount_default_fields"] != nil {
            mounts = read("mounts") { try MountsConfig.read(map["mounts"], defaults: map["mount_default_fields"]) }
        }
        if case .map(let swap)? = map["swap"], let size = swap["size"], size != .int(0), size != .null {
            swapFileRequested = true
        }
        // `ntp:` with no value is cloud-init's "configure the default client with the defaults".
        if map.keys.contains("ntp") { ntp = read("ntp") { try NTPConfig.read(map["ntp"] ?? .null) } }
        if map["locale"] != nil || map["locale_configfile"] != nil {
            locale = read("locale") { try LocaleConfig.read(map["locale"], configFile: map["locale_configfile"]) }
        }
        // cloud-init 22.4 reads `ca-certs` (deprecated) when `ca_certs` is absent.
        if let value = map["ca_certs"] ?? map["ca-certs"] {
            let key = map["ca_certs"] != nil ? "ca_certs" : "ca-certs"
            caCerts = read(key) { try CACertsConfig.read(value, key: key) }
        }
        if let value = map["power_state"], value != .null {
            powerState = read("power_state") { try PowerStateRequest.read(value) }
        }
        self.problems = problems
    }

    /// Plan-line items ("mounts (2)", "power_state (reboot +5)").
    var summaryItems: [String] {
        var items: [String] = []
        if let mounts { items.append("mounts (\(mounts.entries.count))") }
        if swapFileRequested { items.append("swap (not supported)") }
        if let caCerts {
            items.append("ca_certs (\(caCerts.trusted.count)\(caCerts.removeDefaults ? ", remove_defaults" : ""))")
        }
        if let locale { items.append("locale \(locale.name)") }
        if let ntp { items.append(ntp.enabled ? "ntp (\(ntp.client.rawValue))" : "ntp (disabled)") }
        if let powerState { items.append("power_state (\(powerState.describe), after the run)") }
        for problem in problems { items.append("\(problem.key) (invalid)") }
        return items
    }

    // MARK: shared readers

    /// A YAML boolean only (`true`/`false`, YAML 1.1's `yes`/`no`): cloud-init's schema types
    /// these keys `boolean`, so the text "yes" in quotes is refused as it refuses it.
    static func boolean(_ value: YAMLValue?, _ key: String) throws -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw CloudConfigError.type(key, "true or false")
        }
    }

    /// A YAML string only (the schema's `string`: a number is refused, not turned into text).
    static func text(_ value: YAMLValue?, _ key: String) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw CloudConfigError.type(key, "a string")
        }
    }

    /// A list of host names with no repeats (the schema's `uniqueItems`).
    static func hostNames(_ value: YAMLValue?, _ key: String) throws -> [String] {
        let names = try CloudConfig.list(value, key).enumerated().map { try hostName($1, "\(key)[\($0)]") }
        guard Set(names).count == names.count else { throw CloudConfigError.type(key, "a list without repeats") }
        return names
    }

    /// A scalar as cloud-init's `str()` gives it (fstab fields are often written as numbers).
    static func scalar(_ value: YAMLValue, _ key: String) throws -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return "\(number)"
        default: throw CloudConfigError.type(key, "a string")
        }
    }

    /// A host name or address as an NTP source: letters, digits, `.`, `-`, `:` (IPv6), at most
    /// 253 bytes. Why so strict: the value becomes a word of a configuration line, and a
    /// space, `#` or newline would add a directive of the user's choosing to a root file.
    static func hostName(_ value: YAMLValue, _ key: String) throws -> String {
        guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= 253,
            text.unicodeScalars.allSatisfy({
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-:".unicodeScalars.contains($0))
            }), !text.hasPrefix("-")
        else {
            throw CloudConfigError.type(key, "a host name or address")
        }
        return text
    }
}
