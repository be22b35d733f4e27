import AgentBase
import DataSources
import Foundation
import Plugins
import Testing

@Suite struct ConfigTests {
    @Test func resizeAndHostKeyKeys() throws {
        let config = try AgentConfig(
            text: "resize_mount_points = /, /srv\nssh_host_key_types = rsa, ed25519\n", file: "x.conf")
        #expect(config.resize.resizeMountPoints == ["/", "/srv"])
        #expect(config.hostKeys.sshHostKeyTypes == [.rsa, .ed25519])
        #expect(AgentConfig().resize.resizeMountPoints == ["/"])
        #expect(AgentConfig().hostKeys.sshHostKeyTypes == [.ed25519, .ecdsa])
    }

    /// Defaults are declared once, as each settings group's initial values: the sample
    /// config shows them, and reading the sample gives exactly the default configuration.
    @Test func theSampleConfigReadsBackAsTheDefaults() throws {
        #expect(try AgentConfig(text: AgentConfig.sampleText, file: "agent.conf.sample") == AgentConfig())
        var changed = AgentConfig()
        changed.hostname.manageEtcHosts = false
        #expect(changed != AgentConfig(), "a changed group makes a different configuration")
    }

    @Test func defaultsWhenEmpty() throws {
        let config = try AgentConfig(text: "", file: "agent.conf")
        #expect(config == AgentConfig())
        #expect(
            config.sources.metadataServices == [
                .configdrive, .nocloud, .openstack, .ec2, .opennebula, .wakame, .cloudstack, .exoscale, .digitalocean,
                .hetzner, .gce, .oracle, .upcloud, .vultr, .akamai, .vmware, .scaleway, .azure,
            ])
        #expect(config.sources.discoveryTimeout < 60)
    }

    /// Regression: a CRLF file (written on Windows) was read as one bad line.
    @Test func acceptsCRLFLineEndsAndCountsLinesRight() throws {
        let config = try AgentConfig(
            text: "# made on Windows\r\n[DEFAULT]\r\nretry_count = 5\r\nplugins = hostname\r\n", file: "w.conf")
        #expect(config.sources.retryCount == 5 && config.run.plugins == ["hostname"])
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
        #expect(config.sources.metadataServices == [.openstack, .ec2])
        #expect(config.run.plugins == ["ssh_keys", "hostname"])
        #expect(config.sources.retryCount == 5)
        #expect(config.sources.retryCountInterval == 0.25)
        #expect(config.sources.discoveryTimeout == 7.5)
        #expect(config.hostname.netbiosHostNameCompatibility)
        #expect(config.account.groups == ["adm", "wheel"])
    }

    @Test(arguments: [
        ("[DEFAULT]\nfrobnicate = 1\n", "x.conf:2: unknown key 'frobnicate' in [DEFAULT]"),
        ("retry_count = many\n", "x.conf:1: retry_count = 'many' is not valid: expected a whole number from 0 to 20"),
        (
            "\n\nplugins = hostname, teleport\n",
            "x.conf:3: plugins names unknown id(s) teleport (known: network, hostname, resize, host_keys, users, platform_password, password, ssh_keys, files, userdata, startup_script)"
        ),
        (
            "metadata_services = openstack, softlayer\n",
            "x.conf:1: metadata_services names unknown id(s) softlayer (known: configdrive, nocloud, openstack, ec2, opennebula, wakame, cloudstack, exoscale, digitalocean, hetzner, gce, oracle, upcloud, vultr, akamai, vmware, scaleway, azure, slapos)"
        ),
        (
            "this line has no separator\n",
            "x.conf:1: cannot parse 'this line has no separator' (expected 'key = value', '[section]' or a comment)"
        ),
        ("[weird]\nx = 1\n", "x.conf:1: unknown section [weird]"),
        ("retry_count = 1\nretry_count = 2\n", "x.conf:2: key 'retry_count' already set on line 1"),
        (
            "metadata_base_url = ftp://x/\n",
            "x.conf:1: metadata_base_url = 'ftp://x/' is not valid: expected an http:// or https:// URL"
        ),
        (
            "state_dir = var/lib\n",
            "x.conf:1: state_dir = 'var/lib' is not valid: expected an absolute path without '.' or '..' components, but it is not absolute"
        ),
        (
            "inject_user_password = maybe\n",
            "x.conf:1: inject_user_password = 'maybe' is not valid: expected true or false"
        ),
        (
            "\nssh_host_key_types = ed25519, dsa\n",
            "x.conf:2: ssh_host_key_types = 'ed25519, dsa' is not valid: expected a list of ed25519, ecdsa, rsa, but 'dsa' is none of them"
        ),
        (
            "ssh_host_key_types = rsa, rsa\n",
            "x.conf:1: ssh_host_key_types = 'rsa, rsa' is not valid: expected each of ed25519, ecdsa, rsa at most once, but 'rsa' is repeated"
        ),
        ("ssh_host_key_types =\n", "x.conf:1: ssh_host_key_types = '' is not valid: expected at least one entry"),
        (
            "resize_mount_points = /, srv\n",
            "x.conf:1: resize_mount_points = '/, srv' is not valid: expected absolute paths without '.' or '..' components, but entry 2 ('srv') is refused: it is not absolute"
        ),
        ("resize_mount_points = ,\n", "x.conf:1: resize_mount_points = ',' is not valid: expected at least one entry"),
    ])
    func errorsNameFileLineAndKey(text: String, message: String) {
        #expect {
            try AgentConfig(text: text, file: "x.conf")
        } throws: { error in
            "\(error)" == message
        }
    }

    /// Regression: `absolute` refused only `..`, so `/var/log/./x.log` was accepted and
    /// refused later by `SystemRoot.resolve`. Every path key now uses resolve's own rule.
    @Test func aDotComponentInAnyPathKeyIsABadValueNamingLineAndKey() {
        let expected = "an absolute path without '.' or '..' components, but it has a '.' or '..' component"
        #expect(
            throws: ConfigError.badValue(
                file: "x.conf", line: 2, key: "log_file", value: "/var/log/./x.log", expected: expected)
        ) {
            try AgentConfig(text: "[DEFAULT]\nlog_file = /var/log/./x.log\n", file: "x.conf")
        }
        #expect(
            throws: ConfigError.badValue(
                file: "x.conf", line: 1, key: "state_dir", value: "/var/lib/.", expected: expected)
        ) {
            try AgentConfig(text: "state_dir = /var/lib/.\n", file: "x.conf")
        }
        #expect {
            try AgentConfig(text: "configdrive_paths = /dev/sr0, /mnt/./cd\n", file: "x.conf")
        } throws: { error in
            "\(error)"
                == "x.conf:1: configdrive_paths = '/dev/sr0, /mnt/./cd' is not valid: expected absolute paths without '.' or '..' "
                + "components, but entry 2 ('/mnt/./cd') is refused: it has a '.' or '..' component"
        }
        // NUL and over-long values are refused too, and shown escaped and cut short.
        #expect {
            try AgentConfig(text: "log_file = /var/log/a\u{0}b\n", file: "x.conf")
        } throws: { error in
            "\(error)"
                == "x.conf:1: log_file = '/var/log/a\\u{0}b' is not valid: expected an absolute path without '.' or '..' components, but it contains a NUL byte"
        }
        #expect {
            try AgentConfig(text: "state_dir = /" + String(repeating: "p/", count: 2048) + "\n", file: "x.conf")
        } throws: { error in
            "\(error)".hasSuffix(
                "...' is not valid: expected an absolute path without '.' or '..' components, but it is longer than 4095 bytes"
            )
        }
        // Empty components are not refused: POSIX reads "//" as "/", and so does resolve.
        #expect(throws: Never.self) {
            try AgentConfig(text: "log_file = /var//log/x.log\nstate_dir = /var/lib/guest-agent/\n", file: "x.conf")
        }
    }

    @Test func committedSampleMatchesTheSchema() throws {
        let sampleURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../agent.conf.sample")
        let committed = try String(contentsOf: sampleURL, encoding: .utf8)
        #expect(committed == AgentConfig.sampleText)
        // The sample itself must parse back to the defaults.
        #expect(try AgentConfig(text: committed, file: "agent.conf.sample") == AgentConfig())
    }
}
