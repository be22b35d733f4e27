import AgentBase
import FoundationEssentials

extension PowerStateRequest {
    /// cloud-config `power_state` as cloud-init 22.4 reads it: `mode` (required: poweroff,
    /// reboot, halt); `delay` `now` (the default), minutes as an integer, or the older string
    /// form `"+N"`/`"N"` (minutes too: shutdown's `+N`); `message`; `timeout` in seconds
    /// (default 30, cloud-init's `float()`); `condition` true/false, a shell string or an argv.
    static func read(_ value: YAMLValue) throws -> PowerStateRequest {
        guard case .map(let map) = value else { throw CloudConfigError.type("power_state", "a mapping") }
        let allowed: Set<String> = ["mode", "delay", "message", "timeout", "condition"]
        if let extra = map.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw CloudConfigError.type(
                "power_state",
                "a mapping of \(allowed.sorted().joined(separator: ", ")), not '\(TextPreview.line(extra))'")
        }
        let modeNames = Mode.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .string(let modeName)? = map["mode"], let mode = Mode(rawValue: modeName) else {
            throw CloudConfigError.type("power_state.mode", "one of \(modeNames)")
        }
        var request = PowerStateRequest(mode: mode)
        request.delayMinutes = try delay(map["delay"])
        if let message = map["message"] {
            guard case .string(let text) = message, !text.unicodeScalars.contains("\0") else {
                throw CloudConfigError.type("power_state.message", "a string")
            }
            request.message = text
        }
        // The schema's integer (cloud-init's module would float() a string; its schema refuses it).
        switch map["timeout"] {
        case nil, .null?: break
        case .int(let seconds)? where seconds >= 0: request.timeoutSeconds = Double(seconds)
        default: throw CloudConfigError.type("power_state.timeout", "a whole number of seconds")
        }
        switch map["condition"] {
        case nil, .null?: break
        case .bool(let flag)?: request.condition = .always(flag)
        case .string(let text)?: request.condition = .command(["/bin/sh", "-c", text])
        case .list?:
            let argv = try CloudConfig.strings(map["condition"], "power_state.condition")
            guard !argv.isEmpty else { throw CloudConfigError.type("power_state.condition", "a non-empty command") }
            request.condition = .command(argv)
        default: throw CloudConfigError.type("power_state.condition", "true, false, a command string or a list")
        }
        return request
    }

    /// nil for `now`; minutes otherwise (cloud-init's `"+%d" % int(delay)`).
    private static func delay(_ value: YAMLValue?) throws -> Int? {
        let expected = "'now', minutes as an integer, or '+N' (minutes)"
        switch value {
        case nil, .null?: return nil
        case .int(let minutes)? where minutes >= 0 && minutes <= 100_000: return minutes
        case .string(let text)?:
            if text == "now" { return nil }
            let digits = text.hasPrefix("+") ? String(text.dropFirst()) : text
            guard !digits.isEmpty, digits.utf8.count <= 6, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let minutes = Int(digits)
            else { throw CloudConfigError.type("power_state.delay", expected) }
            return minutes
        default: throw CloudConfigError.type("power_state.delay", expected)
        }
    }
}
