import FoundationEssentials

/// A request the platform wants once the instance has booted and been configured: Scaleway's
/// `PATCH /state` with `{"state_detail":"booted"}` (afterburn's `boot_checkin`). The source
/// that found the instance says what to send; the run sends it after the network stage's
/// plugins, never in a dry run.
public struct BootCheckIn: Sendable, Equatable {
    public var method: String
    public var url: URL
    public var body: Data
    public var contentType: String

    public init(method: String, url: URL, body: Data, contentType: String = "application/json") {
        self.method = method
        self.url = url
        self.body = body
        self.contentType = contentType
    }

    /// The request as the HTTP client sends it.
    public var request: HTTPRequestSpec {
        HTTPRequestSpec(method: method, url: url, headers: ["Content-Type": contentType], body: body)
    }
}
