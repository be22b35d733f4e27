import DataSources
import Foundation
import TestSupport
import Testing

@testable import Plugins

/// `#include`, `#include-once`, `text/x-include-url`: refused unless allowed; fetched from
/// the mock metadata server on loopback (its `openstack/content/NNNN` files serve any
/// bytes) with the client the sources use; processed as user data, recursively.
/// cloud-config payloads (write_files) need no interpreter, so these run without root.
@Suite(.serialized, .ownThread(.timesDeadlines)) struct UserDataIncludeTests {
    /// A mock server whose `openstack/content/NAME` serves each of `files`.
    static func server(_ files: [String: Data], arguments: [String] = [], in work: TemporaryDirectory) async throws
        -> MockServerProcess
    {
        for (name, data) in files { _ = try work.write(data, to: "fixtures/openstack/content/\(name)") }
        return try await MockServerProcess(
            fixtures: work.path + "/fixtures", arguments: arguments, logDirectory: work.path)
    }

    static func writeFile(_ path: String, _ content: String) -> Data {
        Data("#cloud-config\nwrite_files:\n  - path: \(path)\n    content: \(content)\n".utf8)
    }

    static var allowed: AgentConfig {
        var config = AgentConfig()
        config.userData.userdataAllowInclude = true
        return config
    }

    /// Paths the server was asked for, in order.
    static func requested(_ server: MockServerProcess) -> [String] {
        server.loggedRequests().compactMap { $0["path"] as? String }
    }

    @Test func refusedWithAClearMessageUnlessAllowed() async throws {
        let root = try PluginTestContext.makeRoot()
        let data = UserDataScriptTests.multipart([
            ("text/x-include-url", "http://127.0.0.1:9/never-fetched", nil),
            ("text/cloud-config", "#cloud-config\nwrite_files:\n  - path: /etc/other\n    content: ran\n", nil),
        ])
        let boots = UserDataBoots(root: root.path, userData: data)
        let record = await boots.boot()
        #expect(record.status == .failed)
        #expect(
            record.error?.contains(
                "part 1 (text/x-include-url): #include URLs are not fetched: set userdata_allow_include = true")
                == true,
            "\(String(describing: record.error))")
        #expect(boots.read("/etc/other") == "ran", "the other parts still run")

        let once = UserDataBoots(root: root.path, userData: Data("#include-once\nhttp://127.0.0.1:9/x\n".utf8))
        once.instanceID = "another-instance"
        #expect(
            await once.boot().error?.contains("#include-once URLs are not fetched: set userdata_allow_include") == true)
    }

    @Test func fetchedContentIsProcessedAsUserDataRecursively() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-include")
        let root = try PluginTestContext.makeRoot()
        let server = try await Self.server(
            [
                "0001": Self.writeFile("/etc/from-a", "a"),
                // Included user data that includes more, gzip-compressed as user data may be.
                "0003": try await Gzip.compress(Self.writeFile("/etc/from-c", "c")),
            ], in: work)
        _ = try work.write(
            "#include\n\(server.url(for: "openstack/content/0003"))\n", to: "fixtures/openstack/content/0002")
        let data = UserDataScriptTests.multipart([
            (
                "text/x-include-url",
                "# a comment\n\(server.url(for: "openstack/content/0001"))\n\n\(server.url(for: "openstack/content/0002"))",
                nil
            ),
            ("text/cloud-config", "#cloud-config\nwrite_files:\n  - path: /etc/top\n    content: top\n", nil),
        ])
        let boots = UserDataBoots(root: root.path, userData: data, config: Self.allowed)

        let dry = await boots.boot(dryRun: true)
        #expect(
            dry.changes?.contains {
                $0.hasPrefix("part 1 (text/x-include-url): fetch 2 URL(s) and run what they give: http://127.0.0.1:")
            } == true, "\(String(describing: dry.changes))")
        #expect(Self.requested(server).isEmpty, "a dry run fetches nothing")

        let first = await boots.boot()
        #expect(first.status == .done, "\(first)")
        #expect(boots.read("/etc/top") == "top")
        #expect(boots.read("/etc/from-a") == "a")
        #expect(boots.read("/etc/from-c") == "c")
        #expect(
            Self.requested(server) == ["/openstack/content/0001", "/openstack/content/0002", "/openstack/content/0003"])
        // The nested part has a record of its own, under its include's index.
        let state = try #require(
            root.read("var/lib/guest-agent/instances/\(boots.instanceID).json"), "the instance state")
        #expect(state.contains("\"1-url2.1-url1.1:"), "\(state)")

        // Nothing it gave runs again: the next boot fetches nothing.
        let second = await boots.boot()
        #expect(second.status == .skipped, "\(second)")
        #expect(Self.requested(server).count == 3)
    }

    @Test func failingHangingAndRedirectedURLsAreNamedAndTheRestRuns() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-include")
        let root = try PluginTestContext.makeRoot()
        let server = try await Self.server(
            ["0001": Self.writeFile("/etc/good", "good")],
            arguments: [
                "--hang", "/openstack/content/0002", "--fail-first", "99:/openstack/content/0003",
                "--redirect", "/openstack/content/0004=http://127.0.0.2:9/elsewhere",
                "--oversize", "/openstack/content/0005",
            ], in: work)
        let url = { (name: String) in server.url(for: "openstack/content/\(name)").absoluteString }
        // Includes itself: stopped by the depth limit.
        _ = try work.write("#include \(url("0006"))\n", to: "fixtures/openstack/content/0006")
        let include = [
            url("0002"), url("0003"), url("0004"), url("0005"), url("0404") + "?signature=SECRET", url("0006"),
            "ftp://127.0.0.1/x", url("0001"),
        ].joined(separator: "\n")
        let data = UserDataScriptTests.multipart([
            ("text/x-include-url", include, nil),
            ("text/cloud-config", "#cloud-config\nwrite_files:\n  - path: /etc/other\n    content: ran\n", nil),
        ])
        let boots = UserDataBoots(root: root.path, userData: data, config: Self.allowed)
        let record = await boots.boot()
        #expect(record.status == .failed)
        let error = try #require(record.error)
        #expect(error.contains("\(url("0002")): no answer from \(url("0002")) within"), "hang: \(error)")
        #expect(error.contains("\(url("0003")): HTTP 500 from \(url("0003"))"), "500: \(error)")
        #expect(
            error.contains("\(url("0004")): refused the redirect from \(url("0004")) to http://127.0.0.2:9/elsewhere"),
            "redirect: \(error)")
        #expect(error.contains("\(url("0005")): document at \(url("0005")) exceeds the 1048576-byte limit"), "\(error)")
        #expect(error.contains("\(url("0404"))?...: answered HTTP 404"), "404: \(error)")
        #expect(!error.contains("SECRET") && !boots.logs.text.contains("SECRET"), "a URL's query is never shown")
        #expect(error.contains("includes nest more than 3 levels: not fetched"), "depth: \(error)")
        #expect(error.contains("line 7 ('ftp://127.0.0.1/x') is not an http or https URL"), "\(error)")
        #expect(boots.read("/etc/good") == "good", "the URL that answers is used")
        #expect(boots.read("/etc/other") == "ran", "the other parts still run")
        #expect(!Self.requested(server).contains { $0.contains("elsewhere") })
        #expect(Self.requested(server).filter { $0 == "/openstack/content/0006" }.count == 3)
    }
}

/// Include parts whose parts run at later boots, with real interpreters (chroot: root).
@Suite(
    .serialized, .enabled(if: Program.isRoot, "needs root (bind mount, chroot): skipped; CI runs as root"),
    .ownThread(.timesDeadlines))
struct UserDataIncludeScriptTests {
    @Test func includeOnceIsFetchedOncePerInstanceIncludeAtEveryBootItRuns() async throws {
        let work = try TemporaryDirectory(prefix: "guest-agent-include")
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let server = try await UserDataIncludeTests.server(
            [
                "0001": Data("#!/bin/sh\necho once >> /tmp/marks\nexit 1002\n".utf8),
                "0002": Data("#!/bin/sh\necho every >> /tmp/marks\nexit 1002\n".utf8),
            ], in: work)
        let data = Data(
            """
            #include-once \(server.url(for: "openstack/content/0001"))
            #include
            \(server.url(for: "openstack/content/0002"))
            """.utf8)
        let boots = UserDataBoots(root: root.path, userData: data, config: UserDataIncludeTests.allowed)
        let fetches = { (name: String) in
            UserDataIncludeTests.requested(server).filter { $0 == "/openstack/content/\(name)" }.count
        }

        let first = await boots.boot()
        #expect(first.status == .runAgain, "\(first)")
        #expect(boots.marks("/tmp/marks") == ["once", "every"])
        #expect(fetches("0001") == 1 && fetches("0002") == 1)
        let saved = try FileManager.default.contentsOfDirectory(
            atPath: root.path + "/var/lib/guest-agent/userdata/includes")
        #expect(saved.count == 1)
        #expect(try root.directory.attributes("var/lib/guest-agent/userdata/includes/\(saved[0])").mode == 0o600)

        // Both parts exited 1002: they run again; only the #include URL is fetched again.
        let second = await boots.boot()
        #expect(second.status == .runAgain, "\(second)")
        #expect(boots.marks("/tmp/marks") == ["once", "every", "once", "every"])
        #expect(fetches("0001") == 1, "include-once: the saved copy, not the URL")
        #expect(fetches("0002") == 2)

        // Another instance (a clone of the image): its first boot fetches the once URL anew.
        boots.instanceID = "clone-of-the-image"
        #expect(await boots.boot().status == .runAgain)
        #expect(fetches("0001") == 2)
    }
}
