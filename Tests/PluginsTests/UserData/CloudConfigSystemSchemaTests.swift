import Foundation
import TestSupport
import Testing

@testable import Plugins

/// The system keys against cloud-init 22.4's own JSON schema (from Debian's cloud-init package,
/// unpacked by scripts/setup.sh, checked with python3-jsonschema as cloud-init's
/// `validate_cloudconfig_schema` does): what the schema rejects, the agent rejects, naming the
/// key; where the two differ, the difference is listed here with its reason.
@Suite struct CloudConfigSystemSchemaTests {
    static let schema =
        "/var/cache/guest-agent-tests/cloud-init_22.4.2-1+deb12u4/usr/lib/python3/dist-packages/cloudinit/config/schemas/schema-cloud-config-v1.json"

    static let checker = """
        import json, sys, yaml, jsonschema
        schema = json.load(open(sys.argv[1]))
        validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
        print(json.dumps([[e.message for e in validator.iter_errors(yaml.safe_load(d))] for d in json.load(sys.stdin)]))
        """

    static let documents = [
        "power_state: {mode: sleep}", "power_state: {delay: now}", "power_state: {mode: reboot, delay: -1}",
        "power_state: {mode: reboot, delay: soon}", "power_state: {mode: reboot, delay: 5.5}",
        "power_state: {mode: reboot, timeout: '5'}", "power_state: {mode: reboot, timeout: 2.5}",
        "power_state: {mode: reboot, condition: 5}", "power_state: {mode: reboot, message: 5}",
        "power_state: {mode: reboot, extra: 1}", "power_state: reboot",
        "mounts: [[sdb, /data]]", "mounts: [[sdb, /data, ext4, 'defaults,nofail', '0', '2']]", "mounts: sdb",
        "mounts: [[]]", "mounts: [[a, b, c, d, e, f, g]]", "mounts: [sdb]",
        "mount_default_fields: [null, null, auto, defaults, '0', '2']", "mount_default_fields: [a, b]",
        "mount_default_fields: [null, null, auto, defaults, 0, 2]",
        "mounts: [[sdb, /data, ext4, defaults, 0, 2]]", "mounts: [[sdb, null]]",
        "ntp:", "ntp: {enabled: false}", "ntp: {servers: [a.example], pools: [b.example], ntp_client: chrony}",
        "ntp: [a]", "ntp: {servers: a.example}", "ntp: {enabled: 'yes'}", "ntp: {pools: [a.example, a.example]}",
        "ntp: {ntp_client: 5}", "ntp: {config: {}}", "ntp: {extra: 1}", "ntp: {ntp_client: openntpd}",
        "ntp: {config: {confpath: /etc/x.conf}}",
        "locale: en_US.UTF-8", "locale: 5", "locale: en_US.UTF-8\nlocale_configfile: /etc/locale.conf",
        "locale: C\nlocale_configfile: 5",
        "ca_certs: {remove_defaults: true}", "ca_certs: x", "ca_certs: {}", "ca_certs: {trusted: []}",
        "ca_certs: {trusted: x}", "ca_certs: {remove_defaults: 'yes'}", "ca_certs: {extra: 1}",
        "ca-certs: {remove-defaults: true}", "ca_certs: {trusted: [not-a-certificate]}",
    ]

    /// Accepted by the schema, refused here, and why.
    static let stricter: [String: String] = [
        "ntp: {ntp_client: openntpd}": "only chrony, systemd-timesyncd and ntp are configured",
        "ntp: {config: {confpath: /etc/x.conf}}": "cloud-init's templates (ntp.config) are not supported",
        "ca_certs: {trusted: [not-a-certificate]}": "each entry must be PEM certificates",
    ]

    /// Refused by the schema, applied here as cloud-init's module applies them: its cc_mounts
    /// str()s numbers and gives null its meaning (drop the device's entries), though the
    /// 22.4 schema types every field `string`.
    static let looser: Set<String> = ["mounts: [[sdb, /data, ext4, defaults, 0, 2]]", "mounts: [[sdb, null]]"]

    func agentRejects(_ document: String) -> Bool {
        guard let config = try? CloudConfig(Data(("#cloud-config\n" + document + "\n").utf8)) else { return true }
        return !config.system.problems.isEmpty
    }

    @Test func rejectsWhatCloudInitsSchemaRejects() async throws {
        guard FileManager.default.fileExists(atPath: Self.schema) else {
            print("cloud-init's package is not unpacked (scripts/setup.sh): schema differential skipped")
            return
        }
        let script = try TemporaryDirectory(prefix: "schema-check")
        let path = try script.write(Self.checker, to: "check.py")
        let input = try JSONSerialization.data(withJSONObject: Self.documents)
        let result = try await Program.run("/usr/bin/python3", [path, Self.schema], input: input)
        try #require(result.status == 0, "\(result.standardError)")
        let verdicts = try JSONDecoder().decode([[String]].self, from: Data(result.standardOutput.utf8))
        try #require(verdicts.count == Self.documents.count)
        for (document, errors) in zip(Self.documents, verdicts) {
            let theirs = !errors.isEmpty
            let ours = agentRejects(document)
            if theirs && !ours {
                #expect(Self.looser.contains(document), "cloud-init rejects, the agent accepts: \(document): \(errors)")
            } else if !theirs && ours {
                #expect(Self.stricter[document] != nil, "cloud-init accepts, the agent rejects: \(document)")
            } else {
                #expect(
                    !Self.looser.contains(document) && Self.stricter[document] == nil, "listed but agrees: \(document)")
            }
        }
    }
}
