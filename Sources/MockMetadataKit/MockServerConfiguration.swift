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
    /// The first N requests to a path answer 500.
    public var failFirst: [String: Int] = [:]
    /// Requests to these paths never get an answer (the connection stays open).
    public var hang: [String] = []
    /// Requests to these paths get their connection closed with no response.
    public var drop: [String] = []

    public init(latencyMilliseconds: Int = 0, failFirst: [String: Int] = [:], hang: [String] = [], drop: [String] = []) {
        self.latencyMilliseconds = latencyMilliseconds
        self.failFirst = failFirst
        self.hang = hang
        self.drop = drop
    }

    static func matches(_ pattern: String, method: String, path: String) -> Bool {
        var pathPattern = Substring(pattern)
        if let space = pattern.firstIndex(of: " ") {
            guard pattern[..<space] == method else { return false }
            pathPattern = pattern[pattern.index(after: space)...]
        }
        return pathPattern.hasSuffix("*") ? path.hasPrefix(String(pathPattern.dropLast())) : pathPattern == path
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

    public init(fixtures: URL, host: String = "127.0.0.1", port: Int = 0, imdsv2: IMDSv2Mode = .optional,
                tokenTTLMax: Double = 21600, faults: MockFaults = MockFaults(), requestLogPath: String? = nil, password: String? = nil) {
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
