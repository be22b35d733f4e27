import AgentBase

/// A Linux bridge's spanning tree settings beyond STP on/off and the forward delay, under the
/// names each input gives them: network config v1 (`bridge_ageing`, as bridge-utils'
/// interfaces(5) spells them; cloud-init's network_state takes these), v2 (netplan's
/// `ageing-time`) and ENI (`bridge_ageing`, `-` or `_`). The ranges are the kernel's
/// (net/bridge/br_stp.c, br_sysfs_br.c): a value outside one is refused, naming the field,
/// because every backend would refuse the whole bridge over it.
public enum BridgeOption: CaseIterable, Sendable, Hashable {
    /// Bridge-wide: seconds a learned MAC is kept; the bridge's STP priority; hello time and
    /// maximum message age in seconds.
    case ageingTime, priority, helloTime, maxAge
    /// Per port: the STP path cost and the port priority.
    case pathCost, portPriority

    /// The v1 and ENI name, with `_` (`-` is read the same).
    public var v1Key: String {
        switch self {
        case .ageingTime: "bridge_ageing"
        case .priority: "bridge_bridgeprio"
        case .helloTime: "bridge_hello"
        case .maxAge: "bridge_maxage"
        case .pathCost: "bridge_pathcost"
        case .portPriority: "bridge_portprio"
        }
    }

    /// netplan's name in a v2 bridge's `parameters`.
    public var v2Key: String {
        switch self {
        case .ageingTime: "ageing-time"
        case .priority: "priority"
        case .helloTime: "hello-time"
        case .maxAge: "max-age"
        case .pathCost: "path-cost"
        case .portPriority: "port-priority"
        }
    }

    public var isPerPort: Bool { self == .pathCost || self == .portPriority }

    /// What the kernel takes (seconds for the times).
    var range: ClosedRange<Int> {
        switch self {
        case .ageingTime: 0...1_000_000
        case .priority: 0...65_535
        case .helloTime: 1...10
        case .maxAge: 6...40
        case .pathCost: 1...65_535
        case .portPriority: 0...63
        }
    }

    /// A bridge-wide value (a number, or text; netplan's times may end in `s`) into `settings`.
    func read(_ value: YAMLValue?, place: ConfigPlace, into settings: inout BridgeSettings) throws {
        guard !isPerPort, let number = try number(value, place: place) else { return }
        settings.options[self] = number
    }

    /// One port's value; a port that is not one of the bridge's is named in `skipped` and left
    /// out (the backends would fail the bridge over it).
    func read(
        port: String, _ value: YAMLValue?, place: ConfigPlace, into settings: inout BridgeSettings,
        draft: inout NetworkDraft
    ) throws {
        guard isPerPort, let number = try number(value, place: place) else { return }
        guard settings.members.contains(port) else {
            draft.skip(place.subject, "\(v2Key) of '\(NetworkText.preview(port))', which is not a port, ignored")
            return
        }
        settings.portOptions[self, default: [:]][port] = number
    }

    /// v1 and ENI give per-port values as "PORT VALUE" words (a list of such strings in v1,
    /// one pair per option line in ENI).
    func read(
        pairs words: [String], place: ConfigPlace, into settings: inout BridgeSettings, draft: inout NetworkDraft
    ) throws {
        guard words.count.isMultiple(of: 2), !words.isEmpty else {
            throw place.error("'\(NetworkText.preview(words.joined(separator: " ")))' is not PORT VALUE pairs")
        }
        for index in stride(from: 0, to: words.count, by: 2) {
            try read(port: words[index], .string(words[index + 1]), place: place, into: &settings, draft: &draft)
        }
    }

    private func number(_ value: YAMLValue?, place: ConfigPlace) throws -> Int? {
        var value = value
        if case .string(let text)? = value, text.hasSuffix("s"), !isPerPort, self != .priority {
            value = .string(String(text.dropLast()))
        }
        guard let number = try place.int(value) else { return nil }
        guard range.contains(number) else {
            throw place.error("\(number) is not between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }
}
