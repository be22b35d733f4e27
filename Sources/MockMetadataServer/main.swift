import Foundation
import MockMetadataKit

/// `mock-metadata-server --fixtures DIR [--bind ADDR] [--port N] [--imdsv2 MODE]
/// [--token-ttl-max S] [--latency-ms N] [--fail-first N:PATH]... [--hang PATH]...
/// [--drop PATH]... [--trickle PATH]... [--trickle-interval-ms N] [--oversize PATH]...
/// [--oversize-unannounced PATH]... [--gzip-bomb PATH]... [--redirect PATH=URL]...
/// [--redirect-status N] [--headers-then-silence PATH]... [--repeat-lines N:PATH]... [--request-log FILE]
/// [--password VALUE] [--cloudstack-password VALUE]`
let usage = """
    usage: mock-metadata-server --fixtures DIR [--bind ADDR] [--port N] [--imdsv2 optional|required|disabled]
                                [--token-ttl-max SECONDS] [--latency-ms N] [--fail-first N:PATH]... [--fail-status N]
                                [--retry-after SECONDS] [--hang PATH]...
                                [--drop PATH]... [--trickle PATH]... [--trickle-interval-ms N] [--oversize PATH]...
                                [--oversize-unannounced PATH]... [--gzip-bomb PATH]... [--redirect PATH=URL]...
                                [--redirect-status 301|302|303|307|308] [--headers-then-silence PATH]...
                                [--repeat-lines N:PATH]... [--request-log FILE] [--password VALUE]
                                [--cloudstack-password VALUE]
    Serves DIR (openstack/..., ec2/...) with nova and EC2 IMDS semantics on 127.0.0.1 by default, and the public
    clouds' services from DIR/<platform>/ at their own paths (fixtures/clouds/README.md); SlapOS KVM's
    public files (GET /hostname, /authorized_keys, /data, /vm-bootstrap...) from DIR/slapos/ (bind 10.0.2.100).
    With --port 0 a free port is chosen; the line 'listening on http://ADDR:PORT' says which.
    A PATH may start with a method and a space ('POST /openstack/*'); a trailing '*' matches a prefix.
    Faults: --hang never answers; --drop closes with no answer; --fail-first answers 500 (or --fail-status) N times,
      with Retry-After: --retry-after when given;
      --trickle sends the normal answer's body one byte per --trickle-interval-ms (default 1000);
      --oversize streams 1 GiB of zeros with Content-Length: 1073741824, --oversize-unannounced
      the same chunked with no length; --gzip-bomb answers ~1 MiB with Content-Encoding: gzip that
      inflates to 1 GiB; --redirect answers --redirect-status (default 302) with Location: URL;
      --headers-then-silence sends a 200 head with Content-Length: 1000, then nothing;
      --repeat-lines repeats the lines of PATH's 200 answer (a listing) in turn until it has N lines.
    Any request with a DomU_Request header is CloudStack's password server (serve it on port 8080):
      send_my_password answers --cloudstack-password until a saved_password request acknowledges it,
      then saved_password; the request log records each DomU_Request as "domuRequest".
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("mock-metadata-server: \(message)\n\(usage)\n".utf8))
    exit(64)
}

var fixtures: String?
var configuration = MockServerConfiguration(fixtures: URL(fileURLWithPath: "."))
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    if flag == "--help" || flag == "-h" {
        print(usage)
        exit(0)
    }
    guard let value = arguments.first else { fail("\(flag) needs a value") }
    arguments.removeFirst()
    switch flag {
    case "--fixtures": fixtures = value
    case "--bind": configuration.host = value
    case "--port": configuration.port = Int(value) ?? { fail("--port takes a number") }()
    case "--imdsv2":
        configuration.imdsv2 =
            IMDSv2Mode(rawValue: value) ?? { fail("--imdsv2 takes optional, required or disabled") }()
    case "--token-ttl-max": configuration.tokenTTLMax = Double(value) ?? { fail("--token-ttl-max takes seconds") }()
    case "--latency-ms":
        configuration.faults.latencyMilliseconds = Int(value) ?? { fail("--latency-ms takes a number") }()
    case "--fail-first":
        let parts = value.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let count = Int(parts[0]) else { fail("--fail-first takes N:PATH") }
        configuration.faults.failFirst[String(parts[1])] = count
    case "--fail-status":
        guard let status = Int(value), [429, 500, 502, 503, 504].contains(status) else {
            fail("--fail-status takes 429, 500, 502, 503 or 504")
        }
        configuration.faults.failStatus = status
    case "--retry-after":
        configuration.faults.retryAfterSeconds = Int(value) ?? { fail("--retry-after takes seconds") }()
    case "--hang": configuration.faults.hang.append(value)
    case "--drop": configuration.faults.drop.append(value)
    case "--trickle": configuration.faults.trickle.append(value)
    case "--trickle-interval-ms":
        guard let interval = Int(value), interval > 0 else { fail("--trickle-interval-ms takes a positive number") }
        configuration.faults.trickleIntervalMilliseconds = interval
    case "--oversize": configuration.faults.oversize.append(value)
    case "--oversize-unannounced": configuration.faults.oversizeUnannounced.append(value)
    case "--gzip-bomb": configuration.faults.gzipBomb.append(value)
    case "--redirect":
        configuration.faults.redirect.append(MockRedirect(argument: value) ?? { fail("--redirect takes PATH=URL") }())
    case "--redirect-status":
        guard let status = Int(value), MockFaults.redirectStatuses.contains(status) else {
            fail("--redirect-status takes 301, 302, 303, 307 or 308")
        }
        configuration.faults.redirectStatus = status
    case "--headers-then-silence": configuration.faults.headersThenSilence.append(value)
    case "--repeat-lines":
        let parts = value.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let count = Int(parts[0]), count > 0 else { fail("--repeat-lines takes N:PATH") }
        configuration.faults.repeatLines[String(parts[1])] = count
    case "--request-log": configuration.requestLogPath = value
    case "--password": configuration.password = value
    case "--cloudstack-password": configuration.cloudStackPassword = value
    default: fail("unknown option \(flag)")
    }
}
guard let fixtures else { fail("--fixtures is required") }
var isDirectory: ObjCBool = false
guard FileManager.default.fileExists(atPath: fixtures, isDirectory: &isDirectory), isDirectory.boolValue else {
    fail("fixtures directory \(fixtures) does not exist")
}
configuration.fixtures = URL(fileURLWithPath: fixtures)

let server = MockMetadataServer(configuration: configuration)
let port: Int
do {
    port = try await server.start()
} catch {
    FileHandle.standardError.write(
        Data("mock-metadata-server: cannot start on \(configuration.host):\(configuration.port): \(error)\n".utf8))
    exit(1)
}
// Unbuffered, so a parent reading our stdout sees the line at once.
// An IPv6 address is bracketed in a URL (RFC 3986 §3.2.2).
let shownHost = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
FileHandle.standardOutput.write(Data("listening on http://\(shownHost):\(port)\n".utf8))
signal(SIGTERM) { _ in exit(0) }
signal(SIGINT) { _ in exit(0) }
while true { sleep(3600) }
