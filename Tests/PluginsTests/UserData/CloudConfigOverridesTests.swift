import AgentBase
import DataSources
import Foundation
import HostEffects
import Testing

@testable import Plugins

/// Top-level `user:` (Proxmox VE's `ciuser`): read as cloud-init reads it, and found in the
/// user data before any plugin runs.
@Suite struct CloudConfigOverridesTests {
    static func metadata(_ userData: String) -> InstanceMetadata {
        InstanceMetadata(sourceID: "nocloud", instanceID: "i-1", userData: Data(userData.utf8))
    }

    @Test func aNameOrAMappingWithAName() throws {
        #expect(try CloudConfig(Data("#cloud-config\nuser: pveadmin\n".utf8)).defaultUserName == "pveadmin")
        #expect(
            try CloudConfig(Data("#cloud-config\nuser: {name: ops, shell: /bin/zsh}\n".utf8)).defaultUserName == "ops")
        #expect(try CloudConfig(Data("#cloud-config\nusers: [default]\n".utf8)).defaultUserName == nil)
        #expect(throws: CloudConfigError.self) { try CloudConfig(Data("#cloud-config\nuser: {shell: /bin/sh}\n".utf8)) }
        #expect(throws: CloudConfigError.self) { try CloudConfig(Data("#cloud-config\nuser: [a, b]\n".utf8)) }
    }

    @Test func foundInTheUserDataTheLastPartWinning() {
        let mime = """
            Content-Type: multipart/mixed; boundary="XX"
            MIME-Version: 1.0

            --XX
            Content-Type: text/cloud-config

            user: first
            --XX
            Content-Type: text/x-shellscript

            #!/bin/sh
            echo user: script
            --XX
            Content-Type: text/cloud-config

            user: second
            --XX--
            """
        #expect(CloudConfigOverrides.read(Self.metadata(mime)).defaultUserName == "second")
        #expect(CloudConfigOverrides.read(Self.metadata("#cloud-config\nuser: solo\n")).defaultUserName == "solo")
    }

    @Test func hostKeySettingsAreReadForTheHostKeysPlugin() throws {
        let overrides = CloudConfigOverrides.read(
            Self.metadata("#cloud-config\nssh_genkeytypes: [ed25519, rsa]\nssh_deletekeys: false\n"))
        #expect(overrides == UserDataOverrides(hostKeyTypes: [.ed25519, .rsa], deleteImageHostKeys: false))
        #expect(throws: CloudConfigError.self) { try CloudConfig(Data("#cloud-config\nssh_genkeytypes: [foo]\n".utf8)) }
        // cloud-init's schema allows dsa; OpenSSH no longer loads it: left out, and dsa alone
        // is the default types (never no host key at all).
        let withDSA = CloudConfigOverrides.read(Self.metadata("#cloud-config\nssh_genkeytypes: [dsa, ed25519]\n"))
        #expect(withDSA.hostKeyTypes == [.ed25519])
        #expect(CloudConfigOverrides.read(Self.metadata("#cloud-config\nssh_genkeytypes: [dsa]\n")).hostKeyTypes == nil)
        #expect(CloudConfigOverrides.read(Self.metadata("#cloud-config\nusers: [default]\n")) == UserDataOverrides())
    }

    @Test func noUserWhenThereIsNoneOrThePartIsBroken() {
        #expect(CloudConfigOverrides.read(Self.metadata("#!/bin/sh\nuser: x\n")).defaultUserName == nil)
        #expect(CloudConfigOverrides.read(Self.metadata("#cloud-config\nuser: [unclosed\n")).defaultUserName == nil)
        #expect(CloudConfigOverrides.read(InstanceMetadata(sourceID: "x", instanceID: "i")).defaultUserName == nil)
    }

    @Test func theAdminUserIsTheDefaultUserFirst() throws {
        var config = AgentConfig()
        config.username = "configured"
        let metadata = InstanceMetadata(sourceID: "x", instanceID: "i", meta: ["admin_username": "fromMeta"])
        let root = SystemRoot("/nonexistent-root")
        func context(_ defaultUser: String?) -> PluginContext {
            PluginContext(
                metadata: metadata, config: config, root: root,
                runner: SubprocessCommandRunner(tools: ToolLocator(root: root)),
                http: MetadataHTTPClient(), logger: .init(label: "t"),
                userDataOverrides: UserDataOverrides(defaultUserName: defaultUser))
        }
        #expect(try AdminUser.name(for: context("pveadmin")) == "pveadmin")
        #expect(try AdminUser.name(for: context(nil)) == "fromMeta")
    }
}
