import Foundation
import TestSupport
import Testing

/// The mock server's nova and EC2 semantics, checked with the real `curl` client against
/// the built `mock-metadata-server` binary (the same binary the demo and benchmarks use).
@Suite struct MockServerProtocolTests {
    let fixtures = BuiltProducts.defaultFixtures

    private func start(_ arguments: [String] = [], in work: TemporaryDirectory) async throws -> MockServerProcess {
        try await MockServerProcess(fixtures: fixtures, arguments: arguments, logDirectory: work.path)
    }

    @Test func bindsToLoopbackAndReportsTheChosenPort() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(in: work)
        #expect(server.baseURL.host == "127.0.0.1")
        #expect((server.baseURL.port ?? 0) > 0)
    }

    @Test func novaListsVersionsAndFilesAndServesTextPlainJSON() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(in: work)
        let versions = try await Curl.request(server.url("openstack"))
        #expect(versions.status == 200)
        #expect(versions.lines.contains("2013-04-04") && versions.lines.last == "latest")

        let old = try await Curl.request(server.url("openstack/2012-08-10"))
        #expect(
            old.lines.contains("meta_data.json") && !old.lines.contains("password"), "password arrived in 2013-04-04")
        let newer = try await Curl.request(server.url("openstack/2013-04-04"))
        #expect(newer.lines.contains("password"))

        let network = try await Curl.request(server.url("openstack/latest/network_data.json"))
        #expect(network.status == 200 && network.contentType.hasPrefix("text/plain"))
        #expect((try? JSONSerialization.jsonObject(with: Data(network.body.utf8))) != nil)

        #expect(try await Curl.request(server.url("openstack/latest/no_such_file")).status == 404)
        #expect(try await Curl.request(server.url("openstack/1999-01-01/meta_data.json")).status == 404)
        #expect(try await Curl.request(server.url("openstack/content/0000")).status == 200)
        #expect(try await Curl.request(server.url("openstack/content/..%2F..%2Fetc")).status == 404)
    }

    @Test func passwordIsStoredOnceThenConflicts() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(in: work)
        let endpoint = server.url("openstack/2013-04-04/password")
        let empty = try await Curl.request(endpoint)
        #expect(empty.status == 200 && empty.body.isEmpty)

        #expect(try await Curl.request(endpoint, method: "POST", body: "first-ciphertext").status == 200)
        #expect(try await Curl.request(endpoint).body == "first-ciphertext")
        #expect(try await Curl.request(endpoint, method: "POST", body: "second").status == 409)
        #expect(try await Curl.request(endpoint).body == "first-ciphertext", "a 409 must not replace the stored value")
    }

    @Test func passwordAbove1020BytesIsRefusedWith400() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(in: work)
        let endpoint = server.url("openstack/latest/password")
        #expect(
            try await Curl.request(endpoint, method: "POST", body: String(repeating: "A", count: 1021)).status == 400)
        #expect(try await Curl.request(endpoint).body.isEmpty, "a refused POST stores nothing")
        #expect(
            try await Curl.request(endpoint, method: "POST", body: String(repeating: "A", count: 1020)).status == 200)
    }

    @Test func ec2ListsDirectoriesWithSlashesAndPublicKeysAsIndexEqualsName() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(in: work)
        let root = try await Curl.request(server.url("latest/meta-data/"))
        #expect(root.lines.contains("placement/") && root.lines.contains("instance-id"))
        let keys = try await Curl.request(server.url("latest/meta-data/public-keys/"))
        #expect(keys.lines.first?.hasPrefix("0=") == true)
        let key = try await Curl.request(server.url("latest/meta-data/public-keys/0/openssh-key"))
        #expect(key.body.hasPrefix("ssh-"))
        #expect(try await Curl.request(server.url("latest/meta-data/instance-id")).body == "i-0a1b2c3d4e5f60718")
        #expect(try await Curl.request(server.url("latest/meta-data/no-such-thing")).status == 404)
    }

    @Test func repeatLinesServesAListingThatNamesItsEntriesAgainAndAgain() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(["--repeat-lines", "50000:/latest/meta-data/public-keys"], in: work)
        let keys = try await Curl.request(server.url("latest/meta-data/public-keys/"))
        #expect(keys.status == 200 && keys.lines.count == 50000)
        #expect(Set(keys.lines) == ["0=demo-key"])
        // Only that path: the key itself and other listings are as the fixture has them.
        #expect(try await Curl.request(server.url("latest/meta-data/public-keys/0/openssh-key")).lines.count == 1)
        #expect(try await Curl.request(server.url("latest/meta-data/public-keys/9/openssh-key")).status == 404)
    }

    @Test func imdsv2RequiredAnswers401WithoutATokenAnd200WithOne() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(["--imdsv2", "required"], in: work)
        let instanceID = server.url("latest/meta-data/instance-id")
        #expect(try await Curl.request(instanceID).status == 401)
        #expect(try await Curl.request(instanceID, headers: ["X-aws-ec2-metadata-token: forged"]).status == 401)
        #expect(
            try await Curl.request(server.url("latest/api/token"), method: "PUT").status == 400,
            "a TTL header is required")

        let token = try await Curl.request(
            server.url("latest/api/token"), method: "PUT",
            headers: ["X-aws-ec2-metadata-token-ttl-seconds: 60"])
        #expect(token.status == 200 && !token.body.isEmpty)
        let answer = try await Curl.request(instanceID, headers: ["X-aws-ec2-metadata-token: \(token.body)"])
        #expect(answer.status == 200 && answer.body == "i-0a1b2c3d4e5f60718")
    }

    @Test func imdsv1OnlyServerAnswersTheTokenPutWith404() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(["--imdsv2", "disabled"], in: work)
        let put = try await Curl.request(
            server.url("latest/api/token"), method: "PUT",
            headers: ["X-aws-ec2-metadata-token-ttl-seconds: 60"])
        #expect(put.status == 404)
        #expect(try await Curl.request(server.url("latest/meta-data/instance-id")).status == 200)
    }

    @Test func tokenTTLCapMakesTokensExpire() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(["--imdsv2", "required", "--token-ttl-max", "2"], in: work)
        // One shell makes the three requests: the token's 2 s are then timed by its `sleep`
        // alone, not by how long this busy test process takes to start the next curl.
        let script = """
            get() { curl --silent --noproxy '*' --output /dev/null --write-out '%{http_code}\\n' "$@"; }
            token=$(curl --silent --noproxy '*' --request PUT \\
                --header 'X-aws-ec2-metadata-token-ttl-seconds: 21600' "$1")
            get --header "X-aws-ec2-metadata-token: $token" "$2"
            sleep 2.5
            get --header "X-aws-ec2-metadata-token: $token" "$2"
            """
        let statuses = try await Curl.shell(
            script, [server.url("latest/api/token"), server.url("latest/meta-data/instance-id")])
        #expect(statuses.standardOutput.split(separator: "\n") == ["200", "401"], "\(statuses.standardError)")
    }

    @Test func failFirstHangDropAndTheRequestLog() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(
            [
                "--fail-first", "2:/openstack", "--hang", "/openstack/latest/user_data",
                "--drop", "GET /latest/meta-data/*",
            ], in: work)
        #expect(try await Curl.request(server.url("openstack")).status == 500)
        #expect(try await Curl.request(server.url("openstack")).status == 500)
        #expect(try await Curl.request(server.url("openstack")).status == 200)

        let hung = try await Curl.request(server.url("openstack/latest/user_data"), maxTime: 1)
        #expect(hung.exitCode == 28, "curl exit 28 is 'operation timed out'")
        let dropped = try await Curl.request(server.url("latest/meta-data/instance-id"))
        #expect(
            dropped.exitCode == 52 || dropped.exitCode == 56, "empty reply or connection reset, got \(dropped.exitCode)"
        )

        let log = server.loggedRequests()
        let statuses = log.filter { $0["path"] as? String == "/openstack" }.compactMap { $0["status"] as? Int }
        #expect(statuses == [500, 500, 200])
        let drop = log.first { $0["path"] as? String == "/latest/meta-data/instance-id" }
        #expect(drop?["method"] as? String == "GET" && drop?["status"] as? Int == -1)
    }

    @Test func latencyIsAddedToEveryRequest() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(["--latency-ms", "200"], in: work)
        let reply = try await Curl.request(server.url("openstack"))
        #expect(reply.status == 200)
        #expect(reply.elapsed >= 0.2, "curl took \(reply.elapsed) s")
    }

    @Test func trickleSendsTheTrueLengthThenOneBytePerInterval() async throws {
        let work = try TemporaryDirectory()
        let path = "openstack/latest/meta_data.json"
        let control = try await start(in: work)
        let whole = try await Curl.transfer(control.url(path), ["--max-time", "1"], in: work.path)
        #expect(whole.exitCode == 0 && whole.body.count > 100, "without the fault the answer is at once")

        let server = try await start(["--trickle", "/" + path, "--trickle-interval-ms", "200"], in: work)
        let slow = try await Curl.transfer(server.url(path), ["--max-time", "1"], in: work.path)
        #expect(slow.exitCode == 28, "curl exit 28 is 'operation timed out', got \(slow.exitCode)")
        #expect(slow.status == 200 && slow.headers["content-length"] == String(whole.body.count))
        #expect((1...6).contains(slow.body.count), "about 5 bytes in 1 s at 200 ms each, got \(slow.body.count)")
        #expect(whole.body.starts(with: slow.body), "the trickled bytes are the start of the true body")
        #expect(
            try await Curl.transfer(server.url("openstack/latest/user_data"), ["--max-time", "1"], in: work.path)
                .exitCode
                == 0,
            "other paths are not trickled")
        #expect(server.loggedRequests().first { $0["path"] as? String == "/" + path }?["status"] as? Int == 200)
    }

    @Test func oversizeAnnouncesOneGiBAndStreamsZerosAsTheClientReads() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(
            ["--oversize", "/openstack/latest/user_data", "--oversize-unannounced", "GET /latest/user-data"],
            in: work)
        let announced = try await Curl.transfer(
            server.url("openstack/latest/user_data"), ["--max-filesize", "1000000"],
            in: work.path, output: "/dev/null")
        #expect(announced.exitCode == 63, "curl exit 63 is 'maximum file size exceeded', got \(announced.exitCode)")
        #expect(announced.status == 200 && announced.headers["content-length"] == "1073741824")

        // The client keeps 2,000,000 bytes and hangs up: they must all arrive, all zero.
        let keep =
            "curl --silent --noproxy '*' --max-time 5 --dump-header \"$2\" \"$1\" | head -c 2000000 > \"$3\"; "
            + "wc -c < \"$3\"; tr -d '\\000' < \"$3\" | wc -c"
        for (path, name) in [("openstack/latest/user_data", "announced"), ("latest/user-data", "unannounced")] {
            let headFile = "\(work.path)/\(name).head"
            let bodyFile = "\(work.path)/\(name).body"
            let counts = try await Curl.shell(keep, [server.url(path), headFile, bodyFile], timeout: 20)
            #expect(
                counts.standardOutput.split(whereSeparator: \.isWhitespace) == ["2000000", "0"],
                "\(name): 2,000,000 bytes, none of them non-zero: \(counts.standardOutput)")
            let head = String(decoding: FileManager.default.contents(atPath: headFile) ?? Data(), as: UTF8.self)
                .lowercased()
            #expect(head.hasPrefix("http/1.1 200"), "\(name): \(head)")
            if name == "announced" {
                #expect(head.contains("content-length: 1073741824"), "\(head)")
            } else {
                #expect(
                    !head.contains("content-length") && head.contains("transfer-encoding: chunked"),
                    "no length announced: \(head)")
            }
        }

        #expect(
            try await Curl.request(server.url("openstack/latest/meta_data.json")).status == 200,
            "the server still answers")
        let streamed = server.loggedRequests().filter {
            ["/openstack/latest/user_data", "/latest/user-data"].contains($0["path"] as? String)
        }
        #expect(streamed.compactMap { $0["status"] as? Int } == [200, 200, 200])
    }

    @Test func gzipBombIsSmallOnTheWireAndInflatesToOneGiB() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(["--gzip-bomb", "/openstack/latest/user_data"], in: work)
        let bomb = try await Curl.transfer(server.url("openstack/latest/user_data"), in: work.path)
        #expect(bomb.exitCode == 0 && bomb.status == 200)
        #expect(bomb.headers["content-encoding"] == "gzip" && bomb.headers["content-length"] == String(bomb.body.count))
        #expect(bomb.body.count > 0 && bomb.body.count < 2 << 20, "the raw body is \(bomb.body.count) bytes")
        let file = try work.write(bomb.body, to: "bomb.gz")
        let inflated = try await Curl.shell("gzip -dc \"$1\" | wc -c", [file], timeout: 60)
        #expect(inflated.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "1073741824")
        #expect(server.loggedRequests().last?["status"] as? Int == 200)
    }

    @Test func redirectAnswersTheConfiguredStatusAndLocationForAnyMethod() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(
            [
                "--redirect", "GET /openstack/latest/meta_data.json=http://127.0.0.1:9/x?a=b",
                "--redirect", "POST /openstack/*=http://127.0.0.1:9/y", "--redirect-status", "307",
            ], in: work)
        let get = try await Curl.transfer(server.url("openstack/latest/meta_data.json"), in: work.path)
        #expect(get.exitCode == 0 && get.status == 307 && get.headers["location"] == "http://127.0.0.1:9/x?a=b")
        #expect(get.body.isEmpty)
        let post = try await Curl.transfer(
            server.url("openstack/latest/password"), ["--data-binary", "secret"], in: work.path)
        #expect(post.exitCode == 0 && post.status == 307 && post.headers["location"] == "http://127.0.0.1:9/y")
        #expect(
            try await Curl.request(server.url("openstack/latest/password")).body.isEmpty,
            "a redirected POST stores nothing")
        #expect(
            try await Curl.request(server.url("openstack/latest/user_data")).status == 200,
            "other paths are not redirected")

        let log = server.loggedRequests().map { "\($0["method"] ?? "") \($0["path"] ?? "") \($0["status"] ?? "")" }
        #expect(
            log.contains("GET /openstack/latest/meta_data.json 307")
                && log.contains("POST /openstack/latest/password 307"))

        let plain = try await start(["--redirect", "/openstack=http://127.0.0.1:9/z"], in: work)
        let found = try await Curl.transfer(plain.url("openstack"), in: work.path)
        #expect(found.status == 302 && found.headers["location"] == "http://127.0.0.1:9/z", "302 is the default")
        let refused = try await Program.run(
            BuiltProducts.path("mock-metadata-server"),
            ["--fixtures", fixtures, "--redirect-status", "200"], timeout: 10)
        #expect(refused.status == 64, "a redirect status must be 301, 302, 303, 307 or 308")
    }

    @Test func headersThenSilenceSendsTheHeadAndNothingMore() async throws {
        let work = try TemporaryDirectory()
        let server = try await start(["--headers-then-silence", "/openstack/latest/meta_data.json"], in: work)
        let silent = try await Curl.transfer(
            server.url("openstack/latest/meta_data.json"), ["--max-time", "1"], in: work.path)
        #expect(silent.exitCode == 28, "curl exit 28 is 'operation timed out', got \(silent.exitCode)")
        #expect(silent.status == 200 && silent.headers["content-length"] == "1000" && silent.body.isEmpty)
        #expect(server.loggedRequests().first?["status"] as? Int == 200)
    }
}

extension MockServerProcess {
    func url(_ path: String) -> String { baseURL.absoluteString.trimmingSuffix("/") + "/" + path }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

/// One request made by the real `curl` binary.
struct CurlReply {
    var exitCode: Int32
    var status: Int
    var contentType: String
    var body: String
    /// Seconds curl ran (`ProgramResult.elapsed`).
    var elapsed: Double
    var lines: [String] { body.split(separator: "\n").map(String.init) }
}

enum Curl {
    /// Runs curl with no proxy; the status and content type come from `--write-out` on
    /// stderr so the body on stdout stays byte-exact.
    static func request(
        _ url: String, method: String = "GET", headers: [String] = [], body: String? = nil,
        maxTime: Int = 10
    ) async throws -> CurlReply {
        var arguments = [
            "--silent", "--noproxy", "*", "--max-time", String(maxTime), "--request", method,
            "--write-out", "%{stderr}%{http_code} %{content_type}",
        ]
        for header in headers { arguments += ["--header", header] }
        if body != nil { arguments += ["--data-binary", "@-", "--header", "Content-Type: text/plain"] }
        arguments.append(url)
        let result = try await Program.tool(
            "curl", arguments, input: body.map { Data($0.utf8) }, timeout: Double(maxTime + 5))
        let written = result.standardError.split(separator: " ", maxSplits: 1).map(String.init)
        return CurlReply(
            exitCode: result.status, status: Int(written.first ?? "") ?? 0,
            contentType: written.count > 1 ? written[1] : "", body: result.standardOutput, elapsed: result.elapsed)
    }
}
