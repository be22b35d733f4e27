/// The optional parts of the metadata a run needs. Sources fetch only these (besides the
/// identity, host name, keys and meta they always read), so a run with `plugins = hostname`
/// costs one round trip and never downloads user data it will not use. `query` asks for all.
public struct MetadataNeeds: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Raw user data (`user_data`, EC2 `user-data`).
    public static let userData = MetadataNeeds(rawValue: 1 << 0)
    /// `vendor_data.json` / `vendor_data2.json`.
    public static let vendorData = MetadataNeeds(rawValue: 1 << 1)
    /// Network configuration (`network_data.json`, EC2 interface leaves).
    public static let network = MetadataNeeds(rawValue: 1 << 2)
    /// Injected (personality) files.
    public static let injectedFiles = MetadataNeeds(rawValue: 1 << 3)

    /// What nova's password endpoint holds (HTTP only), read beside the documents instead
    /// of one more round trip when the password plugin runs.
    public static let passwordState = MetadataNeeds(rawValue: 1 << 4)

    /// A password the platform hands out through its own channel (CloudStack's password
    /// server: one more request; OpenNebula's is in the context file and always read).
    public static let platformPassword = MetadataNeeds(rawValue: 1 << 5)

    public static let all: MetadataNeeds = [
        .userData, .vendorData, .network, .injectedFiles, .passwordState, .platformPassword,
    ]
}
