import FoundationEssentials

/// A password the platform hands the guest for the admin user through its own channel
/// (OpenNebula's `PASSWORD`/`CRYPTED_PASSWORD`, CloudStack's password server): the agent SETS
/// it, and never publishes, stores or logs it. Secret: `description` never shows it.
///
/// It is offered again at every boot (the context CD is rebuilt, the password server keeps
/// answering until it is acknowledged), so the plugin that sets it runs every boot and does
/// nothing when /etc/shadow already holds it.
public struct PlatformPassword: Sendable, Equatable, CustomStringConvertible {
    public enum Secret: Sendable, Equatable {
        /// Clear text, hashed by the agent before chpasswd sees it.
        case clearText(String)
        /// A crypt(3) hash (`$6$...`), stored as it is.
        case cryptHash(String)
    }

    public var secret: Secret
    /// Where it came from, for messages: `OpenNebula PASSWORD`, `the CloudStack password server`.
    public var origin: String
    /// What the platform must be told once /etc/shadow provably holds the password.
    public var acknowledgement: PasswordAcknowledgement

    public init(secret: Secret, origin: String, acknowledgement: PasswordAcknowledgement = .none) {
        self.secret = secret
        self.origin = origin
        self.acknowledgement = acknowledgement
    }

    public var description: String { "<redacted password from \(origin)>" }
}

/// Whom to tell that a platform password was set.
public enum PasswordAcknowledgement: Sendable, Equatable {
    /// Nobody (OpenNebula: the context CD is read-only and is asked nothing).
    case none
    /// CloudStack's (and Exoscale's) password server: `DomU_Request: saved_password` to this
    /// URL, after which it stops handing the password out (`CloudStackPasswordServer`).
    case cloudStackPasswordServer(URL)
}
