import AgentBase
import DataSources
import Foundation
import HostEffects
import Testing

@testable import Plugins

/// Top-level `user:` (Proxmox VE's `ciuser`): read as cloud-init reads it, and found in the
/// user data before any plugin runs.
@Suite struct CloudConfigDefaultUserTests {
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
        #expect(CloudConfigDefaultUser.name(in: Self.metadata(mime)) == "second")
        #expect(CloudConfigDefaultUser.name(in: Self.metadata("#cloud-config\nuser: solo\n")) == "solo")
    }

    @Test func noUserWhenThereIsNoneOrThePartIsBroken() {
        #expect(CloudConfigDefaultUser.name(in: Self.metadata("#!/bin/sh\nuser: x\n")) == nil)
        #expect(CloudConfigDefaultUser.name(in: Self.metadata("#cloud-config\nuser: [unclosed\n")) == nil)
        #expect(CloudConfigDefaultUser.name(in: InstanceMetadata(sourceID: "x", instanceID: "i")) == nil)
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
                http: MetadataHTTPClient(), logger: .init(label: "t"), defaultUserName: defaultUser)
        }
        #expect(try AdminUser.name(for: context("pveadmin")) == "pveadmin")
        #expect(try AdminUser.name(for: context(nil)) == "fromMeta")
    }
}
