import AgentBase

/// The `parameters` of network config v2 bonds and bridges (netplan's names).
enum NetworkConfigV2Parameters {
    /// `mode`, `mii-monitor-interval`, `transmit-hash-policy`, `lacp-rate`; without a mode
    /// the bond is `balance-rr`, the kernel's default (netplan's too).
    static func bond(
        _ entry: [String: YAMLValue], members: [String], place: ConfigPlace, into draft: inout NetworkDraft
    )
        throws -> BondSettings
    {
        let parameters = place.appending("parameters")
        var settings = BondSettings(members: members, mode: "balance-rr")
        let values = try parameters.map(entry["parameters"])
        for key in values.keys.sorted() {
            let field = parameters.appending(key)
            switch key {
            case "mode": settings.mode = try NetworkConfigV1Parameters.bondMode(values[key], place: field)
            case "mii-monitor-interval": settings.miimon = try milliseconds(values[key], place: field)
            case "transmit-hash-policy": settings.xmitHashPolicy = try field.string(values[key])
            case "lacp-rate": settings.lacpRate = try NetworkConfigV1Parameters.lacpRate(values[key], place: field)
            default:
                guard let option = BondOption.allCases.first(where: { $0.v2Key == key }) else {
                    draft.skip(place.subject, "bond parameter '\(NetworkText.preview(key))' is not supported, ignored")
                    continue
                }
                try option.read(values[key], place: field, into: &settings, draft: &draft)
            }
        }
        return settings
    }

    /// `stp`, `forward-delay` (seconds) and the `BridgeOption`s; the rest skipped, named.
    static func bridge(
        _ entry: [String: YAMLValue], ports: [String], place: ConfigPlace, into draft: inout NetworkDraft
    )
        throws -> BridgeSettings
    {
        let parameters = place.appending("parameters")
        var settings = BridgeSettings(members: ports)
        let values = try parameters.map(entry["parameters"])
        for key in values.keys.sorted() {
            let field = parameters.appending(key)
            switch key {
            case "stp": settings.stp = try field.bool(values[key])
            case "forward-delay": settings.forwardDelay = try field.int(values[key])
            case let name:
                if let option = BridgeOption.allCases.first(where: { $0.v2Key == name }) {
                    if option.isPerPort {
                        let ports = try field.map(values[key])
                        for port in ports.keys.sorted() {
                            try option.read(
                                port: port, ports[port], place: field.appending(port), into: &settings, draft: &draft)
                        }
                    } else {
                        try option.read(values[key], place: field, into: &settings)
                    }
                    continue
                }
                draft.skip(place.subject, "bridge parameter '\(NetworkText.preview(key))' is not supported, ignored")
            }
        }
        return draft.bridge(settings, subject: place.subject)
    }

    /// netplan takes `mii-monitor-interval` as milliseconds, plain or with `ms`.
    private static func milliseconds(_ value: YAMLValue?, place: ConfigPlace) throws -> Int? {
        if case .string(let text)? = value, text.hasSuffix("ms") {
            return try place.int(.string(String(text.dropLast(2))))
        }
        return try place.int(value)
    }
}
