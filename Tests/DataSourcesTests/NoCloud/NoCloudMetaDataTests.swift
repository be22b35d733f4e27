import AgentBase
import Foundation
import Testing

@testable import DataSources

@Suite struct NoCloudMetaDataTests {
    static func read(_ text: String) throws -> NoCloudMetaData {
        try NoCloudMetaData(Data(text.utf8), location: "/seed/meta-data")
    }

    @Test func anEmptyDocumentIsTheInstanceNamedNocloud() throws {
        for text in ["", "# nothing\n", "---\n"] {
            let document = try Self.read(text)
            #expect(document.instanceID == "nocloud", "\(text.debugDescription)")
            #expect(document.hostname == nil && document.publicKeys.isEmpty)
        }
    }

    @Test func theKeysCloudLocaldsAndProxmoxWrite() throws {
        let document = try Self.read(
            """
            instance-id: 3d7f1c2b9e0a4f5d6c7b8a9e0f1d2c3b4a5e6f70
            local-hostname: web-1
            """)
        #expect(document.instanceID == "3d7f1c2b9e0a4f5d6c7b8a9e0f1d2c3b4a5e6f70")
        #expect(document.hostname == "web-1")
    }

    @Test func hostnameIsReadWhenLocalHostnameIsAbsentAndANumberIsText() throws {
        let document = try Self.read("instance-id: 1234\nhostname: h.example\n")
        #expect(document.instanceID == "1234")
        #expect(document.hostname == "h.example")
    }

    @Test func jsonMetaDataIsReadLikeYAML() throws {
        let document = try Self.read(
            #"{"instance-id": "i-json", "local-hostname": "j", "public-keys": ["ssh-ed25519 AAAA a"]}"#)
        #expect(document.instanceID == "i-json")
        #expect(document.publicKeys.map(\.line) == ["ssh-ed25519 AAAA a"])
    }

    @Test func publicKeysAsAStringAListOrAMapping() throws {
        let asString = try Self.read("public-keys: |\n  ssh-ed25519 AAAA one\n  # a comment\n\n  ssh-rsa BBBB two\n")
        #expect(asString.publicKeys.map(\.line) == ["ssh-ed25519 AAAA one", "ssh-rsa BBBB two"])
        let asList = try Self.read("public-keys:\n  - ssh-ed25519 AAAA one\n  - 5\n")
        #expect(asList.publicKeys.map(\.line) == ["ssh-ed25519 AAAA one"])
        #expect(asList.refusedKeys == ["public-keys[1] is a number, not a key line"])
        let asMap = try Self.read(
            "public-keys:\n  work: ssh-ed25519 AAAA w\n  home:\n    - ssh-rsa BBBB h1\n    - ssh-rsa CCCC h2\n  bad: {a: 1}\n"
        )
        #expect(asMap.publicKeys.map(\.name) == ["home", "home", "work"])
        #expect(asMap.publicKeys.map(\.line) == ["ssh-rsa BBBB h1", "ssh-rsa CCCC h2", "ssh-ed25519 AAAA w"])
        #expect(asMap.refusedKeys == ["public-keys.bad is a mapping, not a key line"])
    }

    @Test func networkInterfacesIsKeptAsENIText() throws {
        let document = try Self.read(
            "network-interfaces: |\n  auto eth0\n  iface eth0 inet static\n    address 192.0.2.5/24\n")
        #expect(document.networkInterfaces == "auto eth0\niface eth0 inet static\n  address 192.0.2.5/24\n")
    }

    @Test func textThatIsNotYAMLIsRefusedWithTheFileAndLine() throws {
        #expect {
            try Self.read("instance-id: a\n  bad: [unclosed\n")
        } throws: { error in
            let text = "\(error)"
            return text.contains("/seed/meta-data") && text.contains("line ")
        }
        #expect {
            try Self.read("- a list\n- of things\n")
        } throws: { "\($0)".contains("top level is a list, not a mapping") }
    }
}
