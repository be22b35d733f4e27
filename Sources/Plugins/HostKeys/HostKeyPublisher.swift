/// A freshly generated host key, as a publisher sees it.
public struct HostKey: Sendable, Equatable {
    public var type: SSHHostKeyType
    /// The `.pub` file's line (`ssh-ed25519 AAAA... comment`).
    public var publicKey: String
    /// `ssh-keygen -l -E sha256` line (`256 SHA256:... comment (ED25519)`).
    public var fingerprint: String
}

/// The extension point for sources that accept an instance's host keys (as cloud-init
/// posts them to some clouds), so users can verify the first connection out of band.
/// The console block is always printed; a publisher adds a channel of its own.
public protocol HostKeyPublisher: Sendable {
    func publish(_ keys: [HostKey], context: PluginContext) async throws
}

/// Which publisher a metadata source has. None today: neither nova's metadata API, a
/// config drive nor EC2's IMDS has anywhere to send host keys (EC2 users read the
/// console, which the fingerprint block serves).
public enum HostKeyPublishers {
    public static func publisher(forSource sourceID: String) -> (any HostKeyPublisher)? {
        switch sourceID {
        default: nil
        }
    }
}
