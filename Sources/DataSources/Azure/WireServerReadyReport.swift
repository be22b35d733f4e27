import FoundationEssentials

/// Azure's ready report: the WireServer's goal state, then a `Health` document with State
/// `Ready` for it (docs/PROTOCOLS.md, Azure). Until the platform has it, Azure shows the VM
/// as still provisioning and, after its timeout, as failed.
///
/// Sent at every boot, after the network stage's plugins, not once per instance: afterburn's
/// `afterburn-checkin.service` (the Azure check-in) has no `ConditionFirstBoot`, unlike its
/// first-boot-only unit for Packet, so it reports at every boot; cloud-init 22.4.2 reports
/// from `crawl_metadata`, which a reboot of the same instance skips only because it restores
/// its cached datasource, a side effect of its cache, not a rule of the platform. A report
/// for a goal state already reported is harmless (the WireServer accepts it again), and a VM
/// stopped and started again, or redeployed to another host, gets a new goal state whose
/// readiness only a report at that boot gives.
public struct WireServerReadyReport: Sendable, Equatable {
    /// The WireServer, `http://168.63.129.16/` (cloud-init's `DEFAULT_WIRESERVER_ENDPOINT`;
    /// afterburn's fallback when DHCP option 245 is absent; the agent does not read option 245).
    public var wireServer: URL
    /// Whole exchanges (goal state, then health) tried before giving up: afterburn's
    /// `boot_checkin` retries its report 5 times. Each request also has the HTTP client's own
    /// timeouts and retries, so the report as a whole is bounded: it never holds the boot.
    public var attempts: Int
    /// Seconds between two exchanges.
    public var pause: Double

    public static let defaultWireServer = URL(string: "http://168.63.129.16/")!
    /// The headers cloud-init's `AzureEndpointHttpClient` sends with every WireServer request.
    public static let headers = ["x-ms-agent-name": "WALinuxAgent", "x-ms-version": "2012-11-30"]
    static let healthContentType = "text/xml; charset=utf-8"

    public init(wireServer: URL = defaultWireServer, attempts: Int = 5, pause: Double = 2) {
        self.wireServer = wireServer
        self.attempts = max(1, attempts)
        self.pause = max(0, pause)
    }

    var goalStateURL: URL { URL(string: wireServer.absoluteString + "machine/?comp=goalstate")! }
    var healthURL: URL { URL(string: wireServer.absoluteString + "machine?comp=health")! }

    /// Reports ready: each attempt reads the goal state afresh (its incarnation changes when
    /// the platform changes the VM's configuration) and posts the report for it; returns the
    /// goal state the WireServer accepted a report for (2xx). Throws
    /// `WireServerReportError.notAccepted` after `attempts` failures, or at once when there is
    /// no route to the WireServer (cloud-init's `http_with_retries` gives up on "Network is
    /// unreachable" too: waiting cannot give this boot a route).
    public func send(client: MetadataHTTPClient, onRetry: (String) -> Void = { _ in }) async throws
        -> WireServerGoalState
    {
        var last = ""
        for attempt in 1...attempts {
            do {
                return try await exchange(client: client)
            } catch let error as DataSourceError where error.isNetworkUnreachable {
                throw WireServerReportError.notAccepted(attempts: attempt, last: "\(error)")
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                last = "\(error)"
            }
            guard attempt < attempts else { break }
            onRetry(last)
            try await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
        }
        throw WireServerReportError.notAccepted(attempts: attempts, last: last)
    }

    /// One goal state GET and one health POST.
    func exchange(client: MetadataHTTPClient) async throws -> WireServerGoalState {
        let goalStateURL = goalStateURL
        let reply = try await client.send(
            HTTPRequestSpec(url: goalStateURL, headers: Self.headers), maxBytes: 256 * 1024)
        guard reply.status == 200 else {
            throw DataSourceError.httpStatus(url: goalStateURL.absoluteString, status: reply.status)
        }
        let goalState = try WireServerGoalState(reply.body, location: goalStateURL.absoluteString)
        var headers = Self.headers
        headers["Content-Type"] = Self.healthContentType
        let posted = try await client.send(
            HTTPRequestSpec(method: "POST", url: healthURL, headers: headers, body: goalState.readyHealthReport),
            maxBytes: 64 * 1024)
        guard (200..<300).contains(posted.status) else {
            throw DataSourceError.httpStatus(url: healthURL.absoluteString, status: posted.status)
        }
        return goalState
    }
}

/// Why the ready report did not reach the platform.
public enum WireServerReportError: Error, Equatable, CustomStringConvertible {
    case notAccepted(attempts: Int, last: String)

    public var description: String {
        switch self {
        case .notAccepted(let attempts, let last):
            "the Azure ready report was not accepted after \(attempts) attempt(s): \(last)"
        }
    }
}
