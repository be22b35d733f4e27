import Foundation

/// IMDSv2 behaviour of the mock's EC2 tree.
public enum IMDSv2Mode: String, Sendable, CaseIterable {
    /// Tokenless GETs work; a wrong or expired token gets 401.
    case optional
    /// Every EC2 GET needs a valid token (401 without).
    case required
    /// An IMDSv1-only service: the token PUT answers 404 and tokens are ignored.
    case disabled
}

/// Faults the mock injects, matched against the normalized request path. A pattern
/// ending in `*` matches every path with that prefix; a pattern starting with a method
/// and a space (`POST /openstack/*`) matches only that method.
public struct MockFaults: Sendable, Equatable {
    /// Milliseconds added before every response.
    public var latencyMilliseconds: Int = 0
    /// The first N requests to a path answer `failStatus`.
    public var failFirst: [String: Int] = [:]
    /// The status of a `failFirst` answer: 500 by default; 429 or 503 to play a service
    /// that sheds load.
    public var failStatus: Int = 500
    /// Seconds sent as `Retry-After` with each `failFirst` answer; nil sends none.
    public var retryAfterSeconds: Int?
    /// Requests to these paths never get an answer (the connection stays open).
    public var hang: [String] = []
    /// Requests to these paths get their connection closed with no response.
    public var drop: [String] = []
    /// Requests to these paths get their normal answer (true `Content-Length`), but the
    /// body arrives one byte per `trickleIntervalMilliseconds`.
    public var trickle: [String] = []
    /// Milliseconds between two body bytes of a trickled answer.
    public var trickleIntervalMilliseconds: Int = 1000
    /// Requests to these paths get 200 with `Content-Length: 1073741824` and 1 GiB of zeros,
    /// streamed as fast as the client reads.
    public var oversize: [String] = []
    /// Like `oversize`, but without a `Content-Length` (chunked transfer encoding).
    public var oversizeUnannounced: [String] = []
    /// Requests to these paths get 200 with `Content-Encoding: gzip` and about 1 MiB of
    /// gzip that inflates to 1 GiB of zeros.
    public var gzipBomb: [String] = []
    /// Requests to these patterns are redirected (any method) with `redirectStatus`.
    public var redirect: [MockRedirect] = []
    /// The status of a redirect: 301, 302, 303, 307 or 308.
    public var redirectStatus: Int = 302
    /// Requests to these paths get a 200 head with `Content-Length: 1000` and then
    /// nothing more (the connection stays open).
    public var headersThenSilence: [String] = []
    /// Answers to these paths (a listing such as EC2's `public-keys/`) have their lines
    /// repeated, cycling through them, until the body has this many lines: a listing that
    /// names the same entries again and again.
    public var repeatLines: [String: Int] = [:]

    public init(latencyMilliseconds: Int = 0, failFirst: [String: Int] = [:], hang: [String] = [], drop: [String] = [])
    {
        self.latencyMilliseconds = latencyMilliseconds
        self.failFirst = failFirst
        self.hang = hang
        self.drop = drop
    }

    /// The statuses `redirectStatus` may take.
    public static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    static func matches(_ pattern: String, method: String, path: String) -> Bool {
        var pathPattern = Substring(pattern)
        if let space = pattern.firstIndex(of: " ") {
            guard pattern[..<space] == method else { return false }
            pathPattern = pattern[pattern.index(after: space)...]
        }
        return pathPattern.hasSuffix("*") ? path.hasPrefix(String(pathPattern.dropLast())) : pathPattern == path
    }
}

/// One `--redirect PATTERN=URL`: requests matching `pattern` are sent to `location`.
public struct MockRedirect: Sendable, Equatable {
    public var pattern: String
    public var location: String

    public init(pattern: String, location: String) {
        self.pattern = pattern
        self.location = location
    }

    /// Parses `PATTERN=URL`, split at the first `=` (a URL may contain more); nil when
    /// either side is empty.
    public init?(argument: String) {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        let pattern = String(argument[..<equals])
        let location = String(argument[argument.index(after: equals)...])
        guard !pattern.isEmpty, !location.isEmpty else { return nil }
        self.init(pattern: pattern, location: location)
    }
}

/// Everything needed to start a mock server.
public struct MockServerConfiguration: Sendable {
    public var fixtures: URL
    public var host: String
    public var port: Int
    public var imdsv2: IMDSv2Mode
    /// Granted token lifetimes are capped at this many seconds (to test expiry).
    public var tokenTTLMax: Double
    public var faults: MockFaults
    /// Append one JSON line per request to this file.
    public var requestLogPath: String?
    /// A password already stored at start.
    public var password: String?
    /// The password CloudStack's password server hands out until it is acknowledged.
    public var cloudStackPassword: String?

    public init(
        fixtures: URL, host: String = "127.0.0.1", port: Int = 0, imdsv2: IMDSv2Mode = .optional,
        tokenTTLMax: Double = 21600, faults: MockFaults = MockFaults(), requestLogPath: String? = nil,
        password: String? = nil
    ) {
        self.fixtures = fixtures
        self.host = host
        self.port = port
        self.imdsv2 = imdsv2
        self.tokenTTLMax = tokenTTLMax
        self.faults = faults
        self.requestLogPath = requestLogPath
        self.password = password
    }
}
