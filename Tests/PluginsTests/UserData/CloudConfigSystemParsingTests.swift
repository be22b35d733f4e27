import AgentBase
import Foundation
import TestSupport
import Testing

@testable import Plugins

/// The system keys read with cloud-init's meaning; a key that does not read is named and
/// costs only itself.
@Suite struct CloudConfigSystemParsingTests {
    func config(_ yaml: String) throws -> CloudConfig { try CloudConfig(Data(("#cloud-config\n" + yaml).utf8)) }

    func problem(_ yaml: String) throws -> String {
        try config(yaml).system.problems.map { "\($0.key): \($0.message)" }.joined(separator: "; ")
    }

    @Test func powerStateDelaysAsCloudInit22_4ReadsThem() throws {
        let cases: [(String, Int?)] = [("now", nil), ("5", 5), ("\"+5\"", 5), ("\"30\"", 30), ("0", 0)]
        for (delay, minutes) in cases {
            let request = try #require(try config("power_state: {mode: reboot, delay: \(delay)}\n").system.powerState)
            #expect(request.delayMinutes == minutes, "\(delay)")
        }
        let request = try #require(
            try config("power_state:\n  mode: poweroff\n  delay: 2\n  message: Bye now\n  timeout: 7\n").system
                .powerState)
        #expect(request.shutdownArgv == ["shutdown", "-P", "+2", "Bye now"])
        #expect(request.timeoutSeconds == 7)
        #expect(try config("power_state: {mode: halt}\n").system.powerState?.shutdownArgv == ["shutdown", "-H", "now"])
    }

    @Test func powerStateConditions() throws {
        let shell = try config("power_state: {mode: reboot, condition: 'test -f /x'}\n").system.powerState
        #expect(shell?.condition == .command(["/bin/sh", "-c", "test -f /x"]))
        let argv = try config("power_state: {mode: reboot, condition: [test, -f, /x]}\n").system.powerState
        #expect(argv?.condition == .command(["test", "-f", "/x"]))
        #expect(
            try config("power_state: {mode: reboot, condition: false}\n").system.powerState?.condition == .always(false)
        )
    }

    @Test func badPowerStateIsNamed() throws {
        #expect(
            try problem("power_state: {mode: sleep}\n").contains(
                "power_state.mode must be one of poweroff, reboot, halt"))
        #expect(try problem("power_state: {mode: reboot, delay: soon}\n").contains("power_state.delay"))
        #expect(try problem("power_state: {mode: reboot, delay: '+5; rm -rf /'}\n").contains("power_state.delay"))
        #expect(try problem("power_state: {mode: reboot, timeout: never}\n").contains("power_state.timeout"))
        #expect(try problem("power_state: {delay: now}\n").contains("power_state.mode"))
    }

    @Test func mountsFieldsAreCheckedAndNamed() throws {
        let mounts = try #require(
            try config("mounts:\n  - [sdb, /data]\n  - [/dev/vdc, /srv, ext4, defaults, 0, 0]\n").system.mounts)
        #expect(mounts.entries == [["sdb", "/data"], ["/dev/vdc", "/srv", "ext4", "defaults", "0", "0"]])
        #expect(mounts.defaults == MountsConfig.agentDefaults)
        #expect(
            try problem("mounts:\n  - [sdb, /data x]\n").contains(
                "mounts[0][1] must be an fstab field without white space"))
        #expect(try problem("mounts:\n  - [sdb, \"/data\\nUUID=1 / ext4 defaults 0 0\"]\n").contains("mounts[0][1]"))
        #expect(try problem("mounts: [sdb]\n").contains("mounts[0] must be a list of 1 to 6 fstab fields"))
        #expect(try problem("mount_default_fields: [a, b]\n").contains("mount_default_fields must be a list of 6"))
    }

    @Test func ntpIsCheckedAndNamed() throws {
        let ntp = try #require(
            try config(
                "ntp:\n  servers: [ntp.example.com, 192.0.2.1]\n  pools: [pool.example.org]\n  ntp_client: chrony\n"
            ).system.ntp)
        #expect(
            ntp
                == NTPConfig(
                    enabled: true, client: .chrony, servers: ["ntp.example.com", "192.0.2.1"],
                    pools: ["pool.example.org"]))
        #expect(try config("ntp:\n").system.ntp == NTPConfig())
        #expect(
            try problem("ntp:\n  servers: [good.example, 'bad host']\n").contains("ntp.servers[1] must be a host name"))
        #expect(try problem("ntp:\n  servers: [\"a\\nmakestep 1 -1\"]\n").contains("ntp.servers[0]"))
        #expect(
            try problem("ntp: {ntp_client: openntpd}\n").contains(
                "ntp.ntp_client must be one of auto, chrony, ntp, systemd-timesyncd"))
        #expect(try problem("ntp: {config: {confpath: /x}}\n").contains("ntp.config is not supported"))
    }

    @Test func localeNamesCannotInject() throws {
        #expect(try config("locale: de_DE.UTF-8\n").system.locale == LocaleConfig(name: "de_DE.UTF-8"))
        #expect(
            try config("locale: sr_RS@latin\nlocale_configfile: /etc/locale.conf\n").system.locale
                == LocaleConfig(name: "sr_RS@latin", configFile: "/etc/locale.conf"))
        for bad in ["\"en_US\\nLC_ALL=x\"", "'en_US $(reboot)'", "\"en_US'\"", "'../x'"] {
            #expect(try problem("locale: \(bad)\n").contains("locale must be a locale name"), "\(bad)")
        }
        #expect(
            try problem("locale: C\nlocale_configfile: etc/x\n").contains("locale_configfile must be an absolute path"))
    }

    @Test func caCertsRefuseWhatIsNotPEM() throws {
        let pem =
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2xvdWRDb25maWdUZXN0MAoGCCqGSM49BAMCMA8x\n-----END CERTIFICATE-----\n"
        let yaml =
            "ca_certs:\n  remove_defaults: true\n  trusted:\n    - |\n"
            + pem.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n") + "\n    - single_line_cert\n"
        #expect(try problem(yaml).contains("ca_certs.trusted[1] must be PEM certificates"))
        #expect(try problem("ca-certs: {trusted: [nope]}\n").contains("ca-certs.trusted[0] must be PEM"))
        #expect(PEMCertificates.normalized(pem) == pem)
        #expect(PEMCertificates.normalized(pem + "rm -rf /\n") == nil)
        #expect(PEMCertificates.normalized(String(pem.dropLast(27))) == nil, "no END line")
    }

    /// cloud-init runs each as a module of its own: a bad ntp does not stop locale or mounts,
    /// and the document still parses (the other keys apply).
    @Test func oneBadKeyCostsOnlyItself() throws {
        let parsed = try config("ntp: {servers: [1 2]}\nlocale: C.UTF-8\nmounts: [[sdb, /data]]\nhostname: h1\n")
        #expect(parsed.system.problems.map(\.key) == ["ntp"])
        #expect(parsed.system.locale?.name == "C.UTF-8")
        #expect(parsed.system.mounts?.entries.count == 1)
        #expect(parsed.hostname == "h1")
        #expect(parsed.unknownKeys.isEmpty)
        #expect(parsed.summary.contains("ntp (invalid)"))
    }
}
