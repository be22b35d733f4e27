/// Size caps on every document a source reads, so a lying server or a corrupt drive
/// cannot make the agent allocate without bound.
public struct DocumentLimits: Sendable, Equatable {
    /// meta_data.json, network_data.json, vendor data, listings.
    public var jsonBytes: Int
    /// user data: nova allows about 48 KiB raw; EC2 16 KiB; leave room for other clouds.
    public var userDataBytes: Int
    /// One injected file's contents.
    public var injectedFileBytes: Int

    public init(jsonBytes: Int = 1 << 20, userDataBytes: Int = 1 << 20, injectedFileBytes: Int = 1 << 20) {
        self.jsonBytes = jsonBytes
        self.userDataBytes = userDataBytes
        self.injectedFileBytes = injectedFileBytes
    }

    public static let standard = DocumentLimits()
}
