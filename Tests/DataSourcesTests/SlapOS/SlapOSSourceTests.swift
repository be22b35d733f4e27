import AgentBase
import DataSources
import Foundation
import Testing

/// SlapOS KVM's public files (SlapOS/slapos `software/kvm/instance-kvm.cfg.jinja2` and its
/// test.py, which expects `data` to read "data\nto\nvm" and `vm-bootstrap` "bootstrap_script")
/// read into the agent's metadata.
@Suite struct SlapOSSourceTests {
    static let rsa = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 alice@example"
    static let ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBx bob@example"

    static func load(_ texts: [String: String]) async throws -> (InstanceMetadata?, RecordingCloudTransport) {
        let transport = RecordingCloudTransport(texts: texts)
        return (try await SlapOSSource(client: transport.client).load(), transport)
    }

    @Test func theFilesGiveHostNameKeysDataAndTheBootstrapScript() async throws {
        let (loaded, transport) = try await Self.load([
            "/hostname": "slap-vm\n", "/authorized_keys": "\(Self.rsa)\n# a comment\n\n\(Self.ed25519)\n",
            "/data": "data\nto\nvm", "/vm-bootstrap": "#!/bin/sh\necho hi\n",
        ])
        let metadata = try #require(loaded)
        #expect(metadata.sourceID == "slapos")
        #expect(metadata.instanceID == "iid-slapos")
        #expect(metadata.sourceLocation == "http://10.0.2.100/")
        #expect(metadata.hostname == "slap-vm")
        #expect(metadata.publicKeys.map(\.line) == [Self.rsa, Self.ed25519])
        #expect(metadata.meta["slapos_data"] == "data\nto\nvm")
        #expect(metadata.userData == Data("#!/bin/sh\necho hi\n".utf8))
        // authorized_key (the 2015 name) is not asked when authorized_keys answered.
        let paths = transport.requests.map(\.url.absoluteString)
        #expect(
            paths == [
                "http://10.0.2.100/hostname", "http://10.0.2.100/authorized_keys", "http://10.0.2.100/data",
                "http://10.0.2.100/vm-bootstrap",
            ])
    }

    @Test func aBootstrapScriptWithoutInterpreterLineIsRunByBashAsSlapOSImagesDo() async throws {
        let metadata = try #require(try await Self.load(["/hostname": "a\n", "/vm-bootstrap": "bootstrap_script"]).0)
        #expect(metadata.userData == Data("#!/bin/bash\nbootstrap_script".utf8))
    }

    @Test func aBlankBootstrapScriptIsNoUserData() async throws {
        let metadata = try #require(try await Self.load(["/hostname": "a\n", "/vm-bootstrap": " \n\n"]).0)
        #expect(metadata.userDataDocument == .absent)
    }

    @Test func theOldKeyFileNameIsReadWhenTheNewOneIsAbsent() async throws {
        let metadata = try #require(
            try await Self.load(["/hostname": "old\n", "/authorized_key": Self.ed25519 + "\n"]).0)
        #expect(metadata.publicKeys.map(\.line) == [Self.ed25519])
    }

    @Test func localhostIsSlapOSsFillerAndNoHostName() async throws {
        let metadata = try #require(try await Self.load(["/hostname": "localhost\n", "/data": ""]).0)
        #expect(metadata.hostname == nil)
        #expect(metadata.publicKeys.isEmpty)
        #expect(metadata.meta["slapos_data"] == "")
    }

    @Test func aServerWithoutSlapOSsFilesIsNotSlapOS() async throws {
        let (loaded, _) = try await Self.load(["/authorized_keys": Self.rsa])
        #expect(loaded == nil)
    }

    @Test func aKeyLineThatIsNotTextIsRefusedByPosition() throws {
        var bytes = Data((Self.rsa + "\n").utf8)
        bytes.append(contentsOf: [0xFF, 0xFE, 0x0A])
        let metadata = try SlapOSFiles(hostname: Data("x".utf8), authorizedKeys: bytes).metadata(
            sourceID: "slapos", location: "http://10.0.2.100/")
        #expect(metadata.publicKeys.map(\.line) == [Self.rsa])
        #expect(metadata.refusedKeys == ["authorized_keys line 2 is not UTF-8 text"])
    }

    @Test func aServerErrorIsNamed() async throws {
        let transport = RecordingCloudTransport(["/hostname": (500, Data("boom".utf8))])
        await #expect(throws: DataSourceError.self) { try await SlapOSSource(client: transport.client).load() }
    }
}
