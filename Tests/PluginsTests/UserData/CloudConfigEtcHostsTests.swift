import DataSources
import Foundation
import TestSupport
import Testing

@testable import Plugins

/// cloud-config `manage_etc_hosts` (Proxmox writes `manage_etc_hosts: true`) overrides the
/// agent's own `manage_etc_hosts` for what user data sets, as cloud-init's user data
/// overrides its system configuration.
@Suite(
    .serialized,
    .enabled(if: Program.isRoot, "needs root (bind mount, chroot): skipped; CI runs as root"))
struct CloudConfigEtcHostsTests {
    static func boot(_ yaml: String, agentManagesHosts: Bool) async throws -> (PluginRecord, String?) {
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        var config = AgentConfig()
        config.hostname.manageEtcHosts = agentManagesHosts
        let boots = UserDataBoots(root: root.path, userData: Data(("#cloud-config\n" + yaml).utf8), config: config)
        return (await boots.boot(), boots.read("/etc/hosts"))
    }

    @Test func trueWritesTheLineTheAgentWasToldNotTo() async throws {
        let (record, hosts) = try await Self.boot(
            "hostname: web02\nfqdn: web02.example.com\nmanage_etc_hosts: true\n", agentManagesHosts: false)
        #expect(record.status == .done, "\(record)")
        #expect(hosts?.contains("127.0.1.1\tweb02.example.com web02") == true, "\(hosts ?? "")")
    }

    @Test func localhostWithoutAHostNameUsesTheInstancesName() async throws {
        let (record, hosts) = try await Self.boot("manage_etc_hosts: localhost\n", agentManagesHosts: false)
        #expect(record.status == .done, "\(record)")
        #expect(hosts?.contains("127.0.1.1\tdemo-instance.novalocal demo-instance") == true, "\(hosts ?? "")")
    }

    @Test func falseLeavesHostsAloneWhenUserDataSetsTheName() async throws {
        let (record, hosts) = try await Self.boot("hostname: web03\nmanage_etc_hosts: false\n", agentManagesHosts: true)
        #expect(record.status == .done, "\(record)")
        #expect(hosts?.contains("web03") != true, "\(hosts ?? "")")
        // The control: without the key the agent's own setting writes it.
        let (_, managed) = try await Self.boot("hostname: web03\n", agentManagesHosts: true)
        #expect(managed?.contains("127.0.1.1\tweb03") == true, "\(managed ?? "")")
    }

    @Test func otherValuesAreRefusedNamingTheKey() {
        #expect(throws: CloudConfigError.type("manage_etc_hosts", "true or false")) {
            try CloudConfig(Data("#cloud-config\nmanage_etc_hosts: sometimes\n".utf8))
        }
    }
}
