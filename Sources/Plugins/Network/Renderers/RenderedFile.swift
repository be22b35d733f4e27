import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// One configuration file a renderer produces: guest path, bytes and mode.
public struct RenderedFile: Sendable, Equatable {
    public var path: String
    public var contents: Data
    public var mode: mode_t

    public init(path: String, text: String, mode: mode_t = 0o644) {
        self.path = path
        self.contents = Data(text.utf8)
        self.mode = mode
    }

    public var text: String { String(decoding: contents, as: UTF8.self) }

    /// The first lines of every file the agent owns (`#` comments in every format used).
    static let header = """
        # Written by guest-agent (network plugin) from the instance metadata.
        # guest-agent owns this file: it is rewritten when the instance's network changes.

        """
}
