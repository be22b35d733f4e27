import Foundation
import Testing
import TestSupport

/// The shipped unit, checked statically (no systemd runs here): `systemd-analyze verify`
/// inside a scratch root that holds the distribution's units, the built binary at the
/// unit's ExecStart path, and the unit where the README says to install it.
@Suite struct SystemdUnitTests {
    let unitPath = BuiltProducts.repository.appendingPathComponent("packaging/guest-agent.service").path

    private func verify(_ unitText: String) throws -> ProgramResult? {
        guard Program.which("systemd-analyze") != nil, FileManager.default.fileExists(atPath: "/lib/systemd/system") else {
            print("skipped: systemd-analyze or /lib/systemd/system missing (install the systemd package)")
            return nil
        }
        let root = try TemporaryDirectory()
        try Program.tool("mkdir", ["-p", root.path + "/usr/lib/systemd", root.path + "/usr/local/bin"])
        try Program.tool("cp", ["-r", "/lib/systemd/system", root.path + "/usr/lib/systemd/"])
        try Program.tool("cp", [BuiltProducts.path("guest-agent"), root.path + "/usr/local/bin/guest-agent"])
        let installed = try root.write(unitText, to: "etc/systemd/system/guest-agent.service")
        return try Program.tool("systemd-analyze", ["verify", "--root=" + root.path, installed])
    }

    @Test func shippedUnitVerifiesCleanly() throws {
        let text = try String(contentsOfFile: unitPath, encoding: .utf8)
        guard let result = try verify(text) else { return }
        #expect(result.status == 0 && result.standardError.isEmpty, "systemd-analyze: \(result.standardError)")
    }

    @Test func verificationCatchesABrokenUnit() throws {
        let text = try String(contentsOfFile: unitPath, encoding: .utf8).replacingOccurrences(of: "Type=oneshot", with: "Type=oneshott")
        guard let result = try verify(text) else { return }
        #expect(result.standardError.contains("oneshott"), "a typo must be reported, or the clean run proves nothing")
    }

    @Test func unitRunsOncePerBootBeforeLoginsWithoutBlockingOnTheNetwork() throws {
        let lines = try String(contentsOfFile: unitPath, encoding: .utf8).split(separator: "\n").map(String.init)
        func values(_ key: String) -> [String] {
            lines.filter { $0.hasPrefix(key + "=") }.flatMap { $0.dropFirst(key.count + 1).split(separator: " ").map(String.init) }
        }
        #expect(values("Type") == ["oneshot"])
        #expect(values("ExecStart") == ["/usr/local/bin/guest-agent", "run"])
        #expect(values("RemainAfterExit") == ["yes"])
        #expect(values("Before").contains("ssh.service") && values("Before").contains("systemd-user-sessions.service"),
                "keys and passwords must be in place before anyone can log in")
        #expect(values("Wants").contains("network-online.target") && !values("Requires").contains("network-online.target"),
                "a missing network must not stop the config drive path")
        #expect(values("WantedBy") == ["multi-user.target"])
    }
}
