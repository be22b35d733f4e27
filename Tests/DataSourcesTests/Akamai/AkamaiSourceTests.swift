import AgentBase
import DataSources
import Foundation
import TestSupport
import Testing

/// Akamai's (Linode's) token and documents read into the agent's metadata, from the shapes of
/// afterburn's src/providers/akamai/mock_tests.rs and cloud-init's DataSourceAkamai.
@Suite struct AkamaiSourceTests {
    static let vendor = ["sys_vendor": "Linode", "product_serial": "12345678"]
    static let token = "deadbeefcafebabe"

    /// afterburn's `instance_metadata`.
    static let instance = """
        {
            "id": 12345678,
            "label": "my-linode",
            "region": "us-ord",
            "type": "g6-nanode-1",
            "specs": {"vcpus": 1, "memory": 1024, "gpus": 0, "transfer": 1000, "disk": 25600},
            "backups": {"enabled": false, "status": null},
            "host_uuid": "a631b16d14534d84e2830da16d1b28e1d08d24df",
            "tags": ["foo", "bar", "baz"]
        }
        """
    static let keys =
        #"{"users": {"root": ["ssh-ed25519 AAAAroot root@h"], "alice": ["ssh-rsa AAAAa a@h", "ssh-rsa AAAAb b@h"]}}"#
    static let userData = "#cloud-config\nhostname: my-linode\n"

    static func routes(instance: String = instance, keys: String? = keys, userData: String? = nil)
        -> [String: (status: Int, body: Data)]
    {
        var routes: [String: (status: Int, body: Data)] = [
            "/v1/token": (200, Data(token.utf8)), "/v1/instance": (200, Data(instance.utf8)),
            "/v1/user-data": (200, Data((userData ?? Data(Self.userData.utf8).base64EncodedString()).utf8)),
        ]
        if let keys { routes["/v1/ssh-keys"] = (200, Data(keys.utf8)) }
        return routes
    }

    static func load(_ routes: [String: (status: Int, body: Data)] = routes(), dmi: [String: String] = vendor)
        async throws -> (InstanceMetadata?, RecordingCloudTransport)
    {
        let root = try dmiRoot(dmi)
        let transport = RecordingCloudTransport(routes)
        return (try await AkamaiSource(root: SystemRoot(root.path), client: transport.client).load(), transport)
    }

    @Test func aTokenThenTheDocumentsWithIt() async throws {
        let (loaded, transport) = try await Self.load()
        let metadata = try #require(loaded)
        #expect(metadata.sourceID == "akamai")
        #expect(metadata.instanceID == "12345678")
        #expect(metadata.name == "my-linode")
        #expect(metadata.hostname == nil, "the label is a name, not a host name")
        #expect(metadata.availabilityZone == "us-ord")
        #expect(metadata.publicKeys.map(\.name) == ["alice", "alice", "root"])
        #expect(
            metadata.publicKeys.map(\.line) == [
                "ssh-rsa AAAAa a@h", "ssh-rsa AAAAb b@h", "ssh-ed25519 AAAAroot root@h",
            ])
        #expect(metadata.userData == Data(Self.userData.utf8))
        let requests = transport.requests
        let put = try #require(requests.first)
        #expect(put.method == "PUT" && put.url.absoluteString == "http://169.254.169.254/v1/token")
        #expect(put.headers["Metadata-Token-Expiry-Seconds"] == "300")
        #expect(requests.count == 4)
        #expect(requests.dropFirst().allSatisfy { $0.method == "GET" && $0.headers["Metadata-Token"] == Self.token })
    }

    @Test func userDataThatIsNotBase64IsKeptAsServed() async throws {
        let metadata = try #require(try await Self.load(Self.routes(userData: "#!/bin/sh\necho hi\n")).0)
        #expect(metadata.userData == Data("#!/bin/sh\necho hi\n".utf8))
    }

    @Test func noKeysDocumentAndNoIdUseTheDMISerial() async throws {
        let metadata = try #require(try await Self.load(Self.routes(instance: #"{"label": "x"}"#, keys: nil)).0)
        #expect(metadata.instanceID == "12345678")
        #expect(metadata.publicKeys.isEmpty)
    }

    @Test func aRefusedTokenIsNamedAndNothingElseIsAsked() async throws {
        var routes = Self.routes()
        routes["/v1/token"] = (403, Data())
        let root = try dmiRoot(Self.vendor)
        let transport = RecordingCloudTransport(routes)
        await #expect {
            _ = try await AkamaiSource(root: SystemRoot(root.path), client: transport.client).load()
        } throws: { "\($0)" == "HTTP 403 from http://169.254.169.254/v1/token" }
        #expect(transport.requests.count == 1)
    }

    @Test(arguments: ["Linode", "Akamai"])
    func eitherVendorIsASignal(vendor: String) async throws {
        #expect(try await Self.load(dmi: ["sys_vendor": vendor]).0?.instanceID == "12345678")
    }

    @Test func withoutTheDMISignalNoRequestIsMade() async throws {
        for dmi in [[:], ["sys_vendor": "linode"], ["product_name": "Linode"], ["sys_vendor": "Akamai Technologies"]] {
            let (loaded, transport) = try await Self.load(dmi: dmi)
            #expect(loaded == nil, "\(dmi)")
            #expect(transport.requests.isEmpty, "\(dmi): \(transport.requests.map(\.url))")
        }
    }

    @Test(arguments: [
        ("/v1/instance", "[]", "top level is not a JSON object"), ("/v1/ssh-keys", "{", "not valid JSON"),
        ("/v1/token", "", "no usable token"),
    ])
    func garbageIsANamedError(path: String, body: String, message: String) async throws {
        var routes = Self.routes()
        routes[path] = (200, Data(body.utf8))
        await #expect {
            _ = try await Self.load(routes)
        } throws: { "\($0)".contains("http://169.254.169.254\(path)") && "\($0)".contains(message) }
    }

    @Test func garbageDocumentsNeverCrash() async throws {
        for seed in 0..<200 {
            var rng = SplitMix64(seed: UInt64(seed))
            var instance: [String] = []
            for key in ["id", "label", "region"] where rng.chance(70) {
                instance.append("\"\(key)\": \(CloudGarbage.value(&rng, depth: 2))")
            }
            let keys = "{\"users\": \(CloudGarbage.value(&rng, depth: 3))}"
            do {
                _ = try await Self.load(Self.routes(instance: "{" + instance.joined(separator: ", ") + "}", keys: keys))
            } catch let error as DataSourceError {
                #expect("\(error)".contains("/v1/"), "seed \(seed): \(error)")
            }
        }
    }
}
