import Foundation
import Plugins
import Testing

@Suite struct ConfigTests {
    @Test func defaultsWhenEmpty() throws {
        let config = try AgentConfig(text: "", file: "agent.conf")
        #expect(config == AgentConfig())
        #expect(config.metadataServices == ["configdrive", "openstack", "ec2"])
        #expect(config.discoveryTimeout < 60)
    }

    /// Regression: a CRLF file (written on Windows) was read as one bad line.
    @Test func acceptsCRLFLineEndsAndCountsLinesRight() throws {
        let config = try AgentConfig(text: "# made on Windows\r\n[DEFAULT]\r\nretry_count = 5\r\nplugins = hostname\r\n", file: "w.conf")
        #expect(config.retryCount == 5 && config.plugins == ["hostname"])
        #expect(throws: ConfigError.unknownKey(file: "w.conf", line: 3, section: "DEFAULT", key: "nope")) {
            try AgentConfig(text: "[DEFAULT]\r\nretry_count = 5\r\nnope = 1\r\n", file: "w.conf")
        }
    }

    @Test func parsesKeysListsCommentsAndSections() throws {
        let text = """
        # comment
        ; another comment
        [DEFAULT]
        metadata_services = openstack ,ec2
        plugins = ssh_keys, hostname
        retry_count = 5
        retry_count_interval: 0.25
        discovery_timeout = 7.5
        netbios_host_name_compatibility = yes
        groups = adm,wheel
        """
        let config = try AgentConfig(text: text, file: "x.conf")
        #expect(config.metadataServices == ["openstack", "ec2"])
        #expect(config.plugins == ["ssh_keys", "hostname"])
        #expect(config.retryCount == 5)
        #expect(config.retryCountInterval == 0.25)
        #expect(config.discoveryTimeout == 7.5)
        #expect(config.netbiosHostNameCompatibility)
        #expect(config.groups == ["adm", "wheel"])
    }

    @Test(arguments: [
        ("[DEFAULT]\nfrobnicate = 1\n", "x.conf:2: unknown key 'frobnicate' in [DEFAULT]"),
        ("retry_count = many\n", "x.conf:1: retry_count = 'many' is not valid: expected a whole number from 0 to 20"),
        ("\n\nplugins = hostname, teleport\n", "x.conf:3: plugins names unknown id(s) teleport (known: hostname, users, password, ssh_keys, files)"),
        ("plugins = network, hostname\n", "x.conf:1: plugins names unknown id(s) network (known: hostname, users, password, ssh_keys, files); network: reserved for a plugin this version does not have yet"),
        ("metadata_services = openstack, azure\n", "x.conf:1: metadata_services names unknown id(s) azure (known: configdrive, openstack, ec2)"),
        ("this line has no separator\n", "x.conf:1: cannot parse 'this line has no separator' (expected 'key = value', '[section]' or a comment)"),
        ("[weird]\nx = 1\n", "x.conf:1: unknown section [weird]"),
        ("retry_count = 1\nretry_count = 2\n", "x.conf:2: key 'retry_count' already set on line 1"),
        ("metadata_base_url = ftp://x/\n", "x.conf:1: metadata_base_url = 'ftp://x/' is not valid: expected an http:// or https:// URL"),
        ("state_dir = var/lib\n", "x.conf:1: state_dir = 'var/lib' is not valid: expected an absolute path without '..'"),
        ("inject_user_password = maybe\n", "x.conf:1: inject_user_password = 'maybe' is not valid: expected true or false"),
    ])
    func errorsNameFileLineAndKey(text: String, message: String) {
        #expect {
            try AgentConfig(text: text, file: "x.conf")
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test func committedSampleMatchesTheSchema() throws {
        let sampleURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../agent.conf.sample")
        let committed = try String(contentsOf: sampleURL, encoding: .utf8)
        #expect(committed == AgentConfig.sampleText)
        // The sample itself must parse back to the defaults.
        #expect(try AgentConfig(text: committed, file: "agent.conf.sample") == AgentConfig())
    }
}
