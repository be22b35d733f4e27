import AgentBase
import FoundationEssentials

/// cloud-config `ntp` (cloud-init's cc_ntp): `enabled` (default true), `servers`, `pools`,
/// `ntp_client` (`auto`, `chrony`, `systemd-timesyncd`, `ntp`). cloud-init's `ntp.config`
/// (its own templates and paths) and the clients `openntpd` and `ntpdate` are not supported:
/// the key fails, naming them.
struct NTPConfig: Sendable, Equatable {
    enum Client: String, Sendable, Equatable, CaseIterable {
        case auto, chrony, ntp
        case systemdTimesyncd = "systemd-timesyncd"
    }

    var enabled = true
    var client = Client.auto
    var servers: [String] = []
    var pools: [String] = []

    static func read(_ value: YAMLValue) throws -> NTPConfig {
        var config = NTPConfig()
        if value == .null { return config }  // `ntp:` alone: the defaults
        guard case .map(let map) = value else { throw CloudConfigError.type("ntp", "a mapping") }
        if map["config"] != nil {
            throw CloudConfigError.type("ntp", "servers, pools, ntp_client and enabled (ntp.config is not supported)")
        }
        let allowed: Set<String> = ["enabled", "servers", "pools", "ntp_client"]
        if let extra = map.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw CloudConfigError.type(
                "ntp", "a mapping of \(allowed.sorted().joined(separator: ", ")), not '\(TextPreview.line(extra))'")
        }
        config.enabled = try SystemKeys.boolean(map["enabled"], "ntp.enabled") ?? true
        if let name = try SystemKeys.text(map["ntp_client"], "ntp.ntp_client") {
            guard let client = Client(rawValue: name) else {
                throw CloudConfigError.type(
                    "ntp.ntp_client",
                    "one of \(Client.allCases.map(\.rawValue).joined(separator: ", ")) (not '\(TextPreview.line(name))')"
                )
            }
            config.client = client
        }
        config.servers = try SystemKeys.hostNames(map["servers"], "ntp.servers")
        config.pools = try SystemKeys.hostNames(map["pools"], "ntp.pools")
        return config
    }
}
