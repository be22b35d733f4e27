import AgentBase
import Foundation
import HostEffects
import TestSupport
import Testing

@testable import Plugins

/// cloud-config ntp for the client the scratch root has; chrony's file checked by the real
/// `chronyd -p` (Debian's chrony, unpacked by scripts/setup.sh, never installed).
@Suite struct CloudConfigNTPTests {
    static let chronyd = ["/usr/sbin/chronyd", "/var/cache/guest-agent-tests/chrony/usr/sbin/chronyd"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let debianChronyConf =
        "pool 2.debian.pool.ntp.org iburst\nsourcedir /run/chrony-dhcp\nsourcedir /etc/chrony/sources.d\nkeyfile /etc/chrony/chrony.keys\n"

    func root(with programs: [String], files: [String: String] = [:]) throws -> TemporaryDirectory {
        let root = try PluginTestContext.makeRoot()
        for program in programs {
            _ = try root.write("#!/bin/sh\nexit 0\n", to: String(program.dropFirst()), mode: 0o755)
        }
        for (path, text) in files { _ = try root.write(text, to: String(path.dropFirst())) }
        return root
    }

    func apply(_ yaml: String, in root: TemporaryDirectory, runner: RecordingCommandRunner = RecordingCommandRunner())
        async throws -> [String]
    {
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)
        let system = try CloudConfig(Data(("#cloud-config\n" + yaml).utf8)).system
        return await CloudConfigApplier(context: context).applySystem([.ntp], of: system)
    }

    /// The chrony text parsed by the real chronyd: each source line printed back, so a line
    /// chrony would refuse (or skip) fails here.
    func chronyParses(_ path: String, expecting lines: [String]) async throws {
        // A missing chronyd fails: scripts/setup.sh unpacks it, and a silent pass would hide
        // that the real parser never ran.
        let chronyd = try #require(Self.chronyd, "chronyd not found: run scripts/setup.sh (it unpacks Debian's chrony)")
        let result = try await Program.run(chronyd, ["-p", "-f", path])
        #expect(result.status == 0, "\(result.standardError)")
        for line in lines { #expect(result.standardOutput.contains(line), "\(result.standardOutput)") }
    }

    @Test func chronyWithSourceDirGetsADropIn() async throws {
        let root = try root(with: ["/usr/sbin/chronyd"], files: ["/etc/chrony/chrony.conf": Self.debianChronyConf])
        let runner = RecordingCommandRunner()
        let failures = try await apply(
            "ntp:\n  servers: [ntp1.example.com]\n  pools: [pool.example.org]\n", in: root, runner: runner)
        #expect(failures.isEmpty, "\(failures)")
        #expect(root.read("etc/chrony/chrony.conf") == Self.debianChronyConf, "the image's file is untouched")
        let dropIn = try #require(root.read("etc/chrony/sources.d/guest-agent.sources"))
        #expect(dropIn.contains("\npool pool.example.org iburst\nserver ntp1.example.com iburst\n"))
        #expect(runner.calls.isEmpty, "no restart under --root")
        try await chronyParses(
            root.path + "/etc/chrony/sources.d/guest-agent.sources",
            expecting: ["pool pool.example.org iburst", "server ntp1.example.com iburst"])
    }

    @Test func chronyWithoutSourceDirGetsABlockAndDefaultPools() async throws {
        let conf = "pool 2.debian.pool.ntp.org iburst\ndriftfile /var/lib/chrony/chrony.drift\n"
        let root = try root(
            with: ["/usr/sbin/chronyd"], files: ["/etc/chrony/chrony.conf": conf, "/etc/os-release": "ID=debian\n"])
        #expect(try await apply("ntp: {enabled: true}\n", in: root).isEmpty)
        let written = try #require(root.read("etc/chrony/chrony.conf"))
        #expect(written.hasPrefix(conf))
        #expect(
            written.contains(
                "# BEGIN guest-agent cloud-config ntp\npool 0.debian.pool.ntp.org iburst\npool 1.debian.pool.ntp.org iburst"
            ))
        try await chronyParses(
            root.path + "/etc/chrony/chrony.conf", expecting: ["pool 3.debian.pool.ntp.org iburst", "driftfile"])
        #expect(try await apply("ntp: {enabled: true}\n", in: root).isEmpty)
        #expect(root.read("etc/chrony/chrony.conf") == written, "a second run changes nothing")
    }

    /// A strict INI check of the timesyncd drop-in: one [Time] section, key=value lines,
    /// only keys timesyncd.conf(5) has.
    @Test func timesyncdDropInIsStrictINI() async throws {
        let root = try root(with: ["/usr/lib/systemd/systemd-timesyncd"])
        #expect(
            try await apply(
                "ntp:\n  ntp_client: auto\n  servers: [a.example, b.example]\n  pools: [p.example]\n", in: root
            ).isEmpty)
        let text = try #require(root.read("etc/systemd/timesyncd.conf.d/guest-agent.conf"))
        var section: String?
        var keys: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            if line.hasPrefix("[") {
                #expect(line == "[Time]" && section == nil)
                section = String(line)
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1)
            #expect(parts.count == 2 && section == "[Time]", "\(line)")
            #expect(
                ["NTP", "FallbackNTP", "RootDistanceMaxSec", "PollIntervalMinSec", "PollIntervalMaxSec"].contains(
                    String(parts[0])))
            keys[String(parts[0])] = String(parts[1])
        }
        #expect(keys == ["NTP": "a.example b.example p.example"])
    }

    @Test func ntpdGetsABlockInNtpsecConf() async throws {
        let image = "driftfile /var/lib/ntpsec/ntp.drift\npool 0.debian.pool.ntp.org iburst\n"
        let root = try root(with: ["/usr/sbin/ntpd"], files: ["/etc/ntpsec/ntp.conf": image])
        #expect(try await apply("ntp: {ntp_client: ntp, servers: [192.0.2.10]}\n", in: root).isEmpty)
        #expect(
            root.read("etc/ntpsec/ntp.conf") == image
                + "# BEGIN guest-agent cloud-config ntp\nserver 192.0.2.10 iburst\n# END guest-agent cloud-config ntp\n"
        )
    }

    @Test func aMissingClientIsNamedAndDisabledDoesNothing() async throws {
        let root = try root(with: [])
        let failures = try await apply("ntp: {servers: [a.example]}\n", in: root)
        #expect(
            failures == [
                "ntp: the root has no NTP client (chronyd, systemd-timesyncd, ntpd); install one with packages"
            ])
        let chosen = try await apply("ntp: {ntp_client: chrony}\n", in: try self.root(with: ["/usr/sbin/ntpd"]))
        #expect(chosen == ["ntp: ntp_client chrony is not installed in the root (install it with packages)"])
        #expect(try await apply("ntp: {enabled: false}\n", in: root).isEmpty)
    }
}

/// The live system's restart (called directly: a test cannot act on the live root): the
/// distributions' unit names in turn until one restarts.
@Suite struct CloudConfigNTPRestartTests {
    @Test func triesEachUnitNameUntilOneRestarts() async throws {
        let root = try PluginTestContext.makeRoot()
        _ = try root.write("#!/bin/sh\n", to: "usr/bin/systemctl", mode: 0o755)
        let runner = RecordingCommandRunner { argv in CommandResult(exitCode: argv.last == "chronyd.service" ? 0 : 5) }
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)
        try await CloudConfigNTP(context: context).restart(.chrony)
        #expect(
            runner.calls.map(\.argv) == [
                ["systemctl", "restart", "chrony.service"], ["systemctl", "restart", "chronyd.service"],
            ])
        await #expect(throws: HostError.self) { try await CloudConfigNTP(context: context).restart(.systemdTimesyncd) }
    }
}
