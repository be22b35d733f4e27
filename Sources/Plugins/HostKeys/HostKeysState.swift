/// What the host_keys plugin saves for an instance: the instance the keys were made for
/// and their fingerprints (`ssh-keygen -l` lines), which `status` shows.
public struct HostKeysState: Codable, Sendable, Equatable {
    public var instanceID: String
    public var fingerprints: [String]

    public init(instanceID: String, fingerprints: [String]) {
        self.instanceID = instanceID
        self.fingerprints = fingerprints
    }

    /// The fingerprints saved in an instance's state, empty when host_keys saved none.
    public static func fingerprints(in state: InstanceState) -> [String] {
        guard let saved = state.pluginData[HostKeysPlugin.pluginID],
            let decoded = try? saved.decode(as: HostKeysState.self)
        else { return [] }
        return decoded.fingerprints
    }
}
