import Foundation
import TestSupport
import Testing

/// The shipped units (local and network stage), checked statically (no systemd runs
/// here): `systemd-analyze verify` inside a scratch root that holds the distribution's
/// units, the built binary at the units' ExecStart path (/usr/bin, where the .deb puts it),
/// and the units where the package installs them (/lib/systemd/system, which is
/// /usr/lib/systemd/system on Debian 12's merged /usr).
@Suite struct SystemdUnitTests {
    static let units = ["guest-agent-local.service", "guest-agent.service"]
    static func path(_ unit: String) -> String {
        BuiltProducts.repository.appendingPathComponent("packaging/" + unit).path
    }
    let unitPath = Self.path("guest-agent.service")

    private func verify(_ unitText: String, as name: String = "guest-agent.service") async throws -> ProgramResult? {
        guard Program.which("systemd-analyze") != nil, FileManager.default.fileExists(atPath: "/lib/systemd/system")
        else {
            print("skipped: systemd-analyze or /lib/systemd/system missing (install the systemd package)")
            return nil
        }
        let root = try TemporaryDirectory()
        try await Program.tool("mkdir", ["-p", root.path + "/usr/lib/systemd", root.path + "/usr/bin"])
        try await Program.tool("cp", ["-r", "/lib/systemd/system", root.path + "/usr/lib/systemd/"])
        try await Program.tool("cp", [BuiltProducts.path("guest-agent"), root.path + "/usr/bin/guest-agent"])
        for unit in Self.units where unit != name {
            try root.write(
                try String(contentsOfFile: Self.path(unit), encoding: .utf8), to: "usr/lib/systemd/system/" + unit)
        }
        let installed = try root.write(unitText, to: "usr/lib/systemd/system/" + name)
        return try await Program.tool("systemd-analyze", ["verify", "--root=" + root.path, installed])
    }

    @Test(arguments: units) func shippedUnitVerifiesCleanly(unit: String) async throws {
        let text = try String(contentsOfFile: Self.path(unit), encoding: .utf8)
        guard let result = try await verify(text, as: unit) else { return }
        #expect(result.status == 0 && result.standardError.isEmpty, "systemd-analyze: \(result.standardError)")
    }

    @Test func verificationCatchesABrokenUnit() async throws {
        let text = try String(contentsOfFile: unitPath, encoding: .utf8).replacingOccurrences(
            of: "Type=oneshot", with: "Type=oneshott")
        guard let result = try await verify(text) else { return }
        #expect(result.standardError.contains("oneshott"), "a typo must be reported, or the clean run proves nothing")
    }

    @Test func unitRunsOncePerBootBeforeLoginsWithoutBlockingOnTheNetwork() throws {
        let lines = try String(contentsOfFile: unitPath, encoding: .utf8).split(separator: "\n").map(String.init)
        func values(_ key: String) -> [String] {
            lines.filter { $0.hasPrefix(key + "=") }.flatMap {
                $0.dropFirst(key.count + 1).split(separator: " ").map(String.init)
            }
        }
        #expect(values("Type") == ["oneshot"])
        #expect(values("ExecStart") == ["/usr/bin/guest-agent", "run", "--stage", "network"])
        #expect(values("RemainAfterExit") == ["yes"])
        #expect(
            values("Before").contains("ssh.service") && values("Before").contains("systemd-user-sessions.service"),
            "keys and passwords must be in place before anyone can log in")
        #expect(
            values("Wants").contains("network-online.target") && !values("Requires").contains("network-online.target"),
            "a missing network must not stop the config drive path")
        #expect(values("WantedBy") == ["multi-user.target"])
        #expect(values("After").contains("guest-agent-local.service"))
    }

    @Test func localStageRunsBeforeTheNetworkIsConfigured() throws {
        let lines = try String(contentsOfFile: Self.path("guest-agent-local.service"), encoding: .utf8).split(
            separator: "\n"
        ).map(String.init)
        func values(_ key: String) -> [String] {
            lines.filter { $0.hasPrefix(key + "=") }.flatMap {
                $0.dropFirst(key.count + 1).split(separator: " ").map(String.init)
            }
        }
        #expect(values("DefaultDependencies") == ["no"])
        #expect(
            values("Before").contains("network-pre.target") && values("Wants").contains("network-pre.target"),
            "network configuration must be written before the network comes up")
        #expect(values("After").contains("local-fs.target"))
        #expect(
            !values("After").contains("network-online.target") && !values("Wants").contains("network-online.target"))
        #expect(values("Type") == ["oneshot"] && values("RemainAfterExit") == ["yes"])
        #expect(values("ExecStart") == ["/usr/bin/guest-agent", "run", "--stage", "local"])
        #expect(values("Before").contains("ssh.service") && values("Before").contains("systemd-user-sessions.service"))
    }
}
