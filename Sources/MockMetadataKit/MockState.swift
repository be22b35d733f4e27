import Foundation

/// The mock's mutable state, shared by all connections (lock-protected).
public final class MockState: @unchecked Sendable {
    private let lock = NSLock()
    private var storedPassword: String?
    private var pendingCloudStackPassword: String?
    private var cloudStackAcknowledgements = 0
    private var tokens: [String: Date] = [:]
    private var failures: [String: Int] = [:]
    private var log: [RequestLogEntry] = []
    private var faultSettings: MockFaults
    private var mode: IMDSv2Mode
    private let logFile: FileHandle?
    let tokenTTLMax: Double

    init(configuration: MockServerConfiguration) {
        storedPassword = configuration.password
        pendingCloudStackPassword = configuration.cloudStackPassword
        faultSettings = configuration.faults
        mode = configuration.imdsv2
        tokenTTLMax = configuration.tokenTTLMax
        if let path = configuration.requestLogPath {
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
            logFile = FileHandle(forWritingAtPath: path)
            _ = try? logFile?.seekToEnd()
        } else {
            logFile = nil
        }
    }

    /// The stored (encrypted) password, nil when none.
    public var password: String? {
        get { lock.withLock { storedPassword } }
        set { lock.withLock { storedPassword = newValue } }
    }

    /// Stores `value` unless one is stored; false when one was (409).
    func storePasswordIfEmpty(_ value: String) -> Bool {
        lock.withLock {
            guard storedPassword == nil || storedPassword == "" else { return false }
            storedPassword = value
            return true
        }
    }

    /// The password CloudStack's server hands out, nil once acknowledged (or never set);
    /// set it again to play a reset in the cloud's UI.
    public var cloudStackPassword: String? {
        get { lock.withLock { pendingCloudStackPassword } }
        set { lock.withLock { pendingCloudStackPassword = newValue } }
    }

    /// How many `saved_password` acknowledgements arrived.
    public var cloudStackAcknowledgementCount: Int { lock.withLock { cloudStackAcknowledgements } }

    func acknowledgeCloudStackPassword() {
        lock.withLock {
            pendingCloudStackPassword = nil
            cloudStackAcknowledgements += 1
        }
    }

    public var faults: MockFaults {
        get { lock.withLock { faultSettings } }
        set { lock.withLock { faultSettings = newValue } }
    }

    public var imdsv2: IMDSv2Mode {
        get { lock.withLock { mode } }
        set { lock.withLock { mode = newValue } }
    }

    /// Every request served so far.
    public var requestLog: [RequestLogEntry] { lock.withLock { log } }

    func issueToken(ttl: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let token = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        lock.withLock { tokens[token] = Date().addingTimeInterval(min(Double(ttl), tokenTTLMax)) }
        return token
    }

    func isValid(token: String) -> Bool {
        lock.withLock { (tokens[token] ?? .distantPast) > Date() }
    }

    /// Makes every issued token invalid (as if their TTL ran out).
    public func expireAllTokens() {
        lock.withLock { tokens.removeAll() }
    }

    /// True while `path` still owes failures from `--fail-first`.
    func shouldFail(method: String, path: String) -> Bool {
        lock.withLock {
            guard
                let (pattern, count) = faultSettings.failFirst.first(where: {
                    MockFaults.matches($0.key, method: method, path: path)
                })
            else {
                return false
            }
            let used = failures[pattern, default: 0]
            guard used < count else { return false }
            failures[pattern] = used + 1
            return true
        }
    }

    func record(_ entry: RequestLogEntry) {
        let line = entry.jsonLine()
        lock.withLock {
            log.append(entry)
            logFile?.write(Data((line + "\n").utf8))
        }
    }
}

/// One served request, as written to the JSON-lines request log.
public struct RequestLogEntry: Sendable, Equatable {
    public var method: String
    public var path: String
    /// HTTP status, or -1 for a hung or dropped request.
    public var status: Int
    /// Seconds since the Unix epoch when the request arrived and when it was answered.
    public var start: Double
    public var end: Double
    /// An IMDSv2 token header was present.
    public var token: Bool
    public var bodyBytes: Int
    /// The `DomU_Request` header of a CloudStack password server request, nil otherwise.
    public var domuRequest: String? = nil
    /// The raw query, when the request had one (`comp=health`).
    public var query: String? = nil
    /// The body of a health report the mock's WireServer accepted (Azure), so that a test
    /// can check what the agent reported; nil for every other request.
    public var healthReport: String? = nil

    func jsonLine() -> String {
        var object: [String: Any] = [
            "method": method, "path": path, "status": status, "start": start, "end": end,
            "token": token, "bodyBytes": bodyBytes,
        ]
        if let domuRequest { object["domuRequest"] = domuRequest }
        if let query { object["query"] = query }
        if let healthReport { object["healthReport"] = healthReport }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
