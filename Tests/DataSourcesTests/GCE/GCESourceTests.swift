import AgentBase
import Foundation
import TestSupport
import Testing

@testable import DataSources

/// GCE's metadata server read into the agent's metadata, from the shapes of cloud-init's
/// tests/unittests/sources/test_gce.py (`GCE_META_ENCODING`, `GCE_USER_DATA_TEXT`, the
/// `user:key` lines and their `google-ssh` expiry notes) and afterburn's src/providers/gcp.
@Suite struct GCESourceTests {
    static let vendor = ["product_name": "Google Compute Engine"]
    static let v1 = "/computeMetadata/v1/"
    /// 2026-01-01T00:00:00Z: after 2018, before 2099.
    static let now = 1_767_225_600

    static func routes(instance: String = "{}", project: String = "{}") -> [String: String] {
        [
            v1 + "instance/id": "12345", v1 + "instance/zone": "projects/1/zones/baz-bang",
            v1 + "instance/hostname": "server.project-baz.local",
            v1 + "instance/attributes/?recursive=True": instance, v1 + "project/attributes/?recursive=True": project,
        ]
    }

    static func load(_ routes: [String: String] = routes(), dmi: [String: String] = vendor) async throws -> (
        InstanceMetadata?, RecordingCloudTransport
    ) {
        let root = try dmiRoot(dmi)
        let transport = RecordingCloudTransport(texts: routes)
        let source = GCESource(root: SystemRoot(root.path), client: transport.client, now: { Self.now })
        return (try await source.load(), transport)
    }

    @Test func theInstanceIsReadWithTheGoogleHeaderOnEveryRequest() async throws {
        let encoded = Data("#!/bin/echo baz\n".utf8).base64EncodedString()
        let instance = #"{"user-data": "\#(encoded)", "user-data-encoding": "base64"}"#
        let (loaded, transport) = try await Self.load(Self.routes(instance: instance))
        let metadata = try #require(loaded)
        #expect(metadata.sourceID == "gce")
        #expect(metadata.instanceID == "12345")
        #expect(metadata.hostname == "server.project-baz.local")
        #expect(metadata.availabilityZone == "baz-bang")
        #expect(metadata.userData == Data("#!/bin/echo baz\n".utf8))
        #expect(transport.requests.count == 5)
        #expect(transport.requests.allSatisfy { $0.headers["Metadata-Flavor"] == "Google" })
        #expect(transport.requests.allSatisfy { $0.url.host == "169.254.169.254" })
    }

    @Test func plainUserDataIsKeptAsItIs() async throws {
        let instance = ##"{"user-data": "#!/bin/sh\necho hi mom\ntouch /run/up-now\n"}"##
        let metadata = try #require(try await Self.load(Self.routes(instance: instance)).0)
        #expect(metadata.userData == Data("#!/bin/sh\necho hi mom\ntouch /run/up-now\n".utf8))
    }

    @Test func instanceAndProjectKeysMergeAndExpiredOnesAreRefused() async throws {
        let expired =
            #"ssh-rsa AAAAold google-ssh {"userName":"bob@example.com","expireOn":"2018-08-09T19:01:23+0000"}"#
        let valid = #"ssh-rsa AAAAnew google-ssh {"userName":"bob@example.com","expireOn":"2099-08-09T19:01:23+0000"}"#
        let instance = #"{"ssh-keys": "cloudinit:ssh-ed25519 AAAAinst me\nnocolon"}"#
        let project = try String(
            data: JSONSerialization.data(withJSONObject: [
                "ssh-keys": "bob:\(expired)\nbob:\(valid)", "sshKeys": "legacy:ssh-rsa AAAAlegacy",
            ]), encoding: .utf8)!
        let metadata = try #require(try await Self.load(Self.routes(instance: instance, project: project)).0)
        #expect(metadata.publicKeys.map(\.line) == ["ssh-ed25519 AAAAinst me", valid, "ssh-rsa AAAAlegacy"])
        #expect(metadata.publicKeys.map(\.name) == ["cloudinit", "bob", "legacy"])
        #expect(
            metadata.refusedKeys == [
                "instance ssh-keys line 2 is not 'user:key'", "project ssh-keys line 1 (bob) expired",
            ])
    }

    @Test(arguments: [
        #"{"ssh-keys": "a:ssh-rsa AAAAinst", "block-project-ssh-keys": "TRUE"}"#,
        #"{"sshKeys": "a:ssh-rsa AAAAinst"}"#,
    ])
    func theInstanceCanShutOutTheProjectsKeys(instance: String) async throws {
        let project = #"{"ssh-keys": "p:ssh-rsa AAAAproject"}"#
        let metadata = try #require(try await Self.load(Self.routes(instance: instance, project: project)).0)
        #expect(metadata.publicKeys.map(\.line) == ["ssh-rsa AAAAinst"])
    }

    @Test(arguments: [
        ["product_name": "Google"], ["product_serial": "GoogleCloud-4F2C1A"], ["product_name": "Google Compute Engine"],
    ])
    func eachOfCloudInitsSignalsIsEnough(dmi: [String: String]) async throws {
        #expect(try await Self.load(dmi: dmi).0?.instanceID == "12345")
    }

    @Test func withoutTheDMISignalNoRequestIsMade() async throws {
        for dmi in [[:], ["product_name": "Google Cloud"], ["sys_vendor": "Google"], ["product_serial": "Google-1"]] {
            let (loaded, transport) = try await Self.load(dmi: dmi)
            #expect(loaded == nil, "\(dmi)")
            #expect(transport.requests.isEmpty, "\(dmi): \(transport.requests.map(\.url))")
        }
    }

    @Test func aMissingHostnameOrGarbageAttributesAreNamed() async throws {
        var routes = Self.routes()
        routes[Self.v1 + "instance/hostname"] = nil
        await #expect {
            _ = try await Self.load(routes)
        } throws: { "\($0)" == "HTTP 404 from http://169.254.169.254/computeMetadata/v1/instance/hostname" }
        await #expect {
            _ = try await Self.load(Self.routes(project: "[1]"))
        } throws: {
            "\($0)"
                == "malformed document at http://169.254.169.254/computeMetadata/v1/project/attributes/?recursive=True: top level is not a JSON object"
        }
    }

    @Test func oddUserDataIsUnreadableNotFatal() async throws {
        for instance in [#"{"user-data": 5}"#, ##"{"user-data": "#!", "user-data-encoding": "base64"}"##] {
            let metadata = try #require(try await Self.load(Self.routes(instance: instance)).0)
            #expect(metadata.hostname == "server.project-baz.local")
            #expect(metadata.unreadableDocuments.count == 1, "\(instance)")
        }
    }

    @Test func garbageAttributesNeverCrash() async throws {
        let keys = ["ssh-keys", "sshKeys", "block-project-ssh-keys", "user-data", "user-data-encoding"]
        for seed in 0..<200 {
            var rng = SplitMix64(seed: UInt64(seed))
            var members: [String] = []
            for key in keys where rng.chance(60) { members.append("\"\(key)\": \(CloudGarbage.value(&rng, depth: 2))") }
            let attributes = "{" + members.joined(separator: ", ") + "}"
            do {
                _ = try await Self.load(Self.routes(instance: attributes, project: attributes))
            } catch let error as DataSourceError {
                #expect("\(error)".contains("/computeMetadata/v1/"), "seed \(seed): \(error)")
            }
        }
    }

    @Test(arguments: [
        ("2018-08-09T19:01:23+0000", 1_533_841_283), ("2018-08-09T21:01:23+02:00", 1_533_841_283),
        ("2018-08-09T19:01:23Z", 1_533_841_283), ("2018-08-09 19:01:23", nil), ("garbage", nil),
    ])
    func expiryStampsAreReadAsPythonReadsThem(stamp: String, seconds: Int?) {
        let key = #"ssh-rsa AAAA google-ssh {"userName":"u","expireOn":"\#(stamp)"}"#
        #expect(GCESSHKeys.expiry(of: key) == seconds)
    }
}

/// The startup script as Google's `google_metadata_script_runner` picks it
/// (GoogleCloudPlatform/guest-agent `getWantedKeys`, `getExistingKeys`, `writeScriptToFile`):
/// `startup-script` and `startup-script-url` of the instance, else of the project, never mixed;
/// leading blanks trimmed.
@Suite struct GCEStartupScriptTests {
    static func load(instance: String, project: String = "{}") async throws -> StartupScript? {
        try #require(
            try await GCESourceTests.load(GCESourceTests.routes(instance: instance, project: project)).0
        ).startupScript
    }

    @Test func theInstancesScriptIsReadWithoutItsLeadingBlanks() async throws {
        let script = try #require(
            try await Self.load(
                instance: #"{"startup-script": " \n\t#!/bin/sh\necho up\n"}"#,
                project: #"{"startup-script": "echo project"}"#))
        #expect(script.origin == "instance attribute startup-script")
        #expect(script.content == Data("#!/bin/sh\necho up\n".utf8))
        #expect(script.unfetchedURL == nil)
        #expect(script.interpreter == "/bin/bash")
    }

    @Test func theProjectsScriptCountsWhenTheInstanceHasNone() async throws {
        let script = try #require(
            try await Self.load(
                instance: #"{"startup-script": "", "user-data": "x"}"#, project: #"{"startup-script": "echo project"}"#)
        )
        #expect(script.origin == "project attribute startup-script")
        #expect(script.content == Data("echo project".utf8))
    }

    /// An instance-level URL hides the project's script: the runner takes the first level
    /// holding any startup key.
    @Test func anInstanceURLHidesTheProjectsScriptAndIsNotFetched() async throws {
        let script = try #require(
            try await Self.load(
                instance: #"{"startup-script-url": " gs://bucket/boot.sh "}"#,
                project: #"{"startup-script": "echo project"}"#))
        #expect(script.origin == "instance attribute startup-script-url")
        #expect(script.content == nil)
        #expect(script.unfetchedURL == "gs://bucket/boot.sh")
    }

    @Test(arguments: [#"{}"#, #"{"startup-script": ""}"#, #"{"startup-script": " \n "}"#, #"{"startup-script": 3}"#])
    func noScriptIsNone(instance: String) async throws {
        #expect(try await Self.load(instance: instance) == nil)
    }
}
