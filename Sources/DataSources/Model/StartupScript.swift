import FoundationEssentials

/// A script the platform asks the guest to run as root at every boot, after the instance is
/// configured: GCE's `startup-script` attribute (docs/PROTOCOLS.md, GCE). The
/// `startup_script` plugin runs it; sources only read it.
public struct StartupScript: Sendable, Equatable {
    /// Where it was read, for logs, errors and `query` (`instance attribute startup-script`).
    public var origin: String
    /// The script as the platform gave it, leading blanks removed (so `#!` is found); nil when
    /// the platform names only a URL to fetch it from, which the agent does not fetch.
    public var content: Data?
    /// The `startup-script-url` the platform gave beside or instead of the script: not
    /// fetched (the plugin says so), kept so that the omission is reported, not silent.
    public var unfetchedURL: String?
    /// What runs a script without a `#!` line: `/bin/bash` on GCE (Google's runner starts
    /// every script as `/bin/bash -c FILE`).
    public var interpreter: String

    public init(origin: String, content: Data?, unfetchedURL: String? = nil, interpreter: String = "/bin/bash") {
        self.origin = origin
        self.content = content
        self.unfetchedURL = unfetchedURL
        self.interpreter = interpreter
    }
}
