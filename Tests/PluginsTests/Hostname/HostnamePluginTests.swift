import DataSources
import Foundation
import HostEffects
import Plugins
import TestSupport
import Testing

@Suite struct HostnamePluginTests {
    @Test func writesHostnameAndOwnHostsLine() async throws {
        let root = try PluginTestContext.makeRoot()
        try root.write("127.0.0.1 localhost\n10.1.1.1 fileserver # mine\n", to: "etc/hosts")
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root)
        let plugin = HostnamePlugin()
        #expect(
            try await plugin.describedPlan(context)
                == .apply([
                    "write /etc/hostname: demo-instance",
                    "set the guest-agent line in /etc/hosts: demo-instance.novalocal",
                ]))
        #expect(try await plugin.planAndApply(context) == .done)
        #expect(root.read("etc/hostname") == "demo-instance\n")
        #expect(
            root.read("etc/hosts") == """
                127.0.0.1 localhost
                10.1.1.1 fileserver # mine
                # BEGIN guest-agent host name
                127.0.1.1\tdemo-instance.novalocal demo-instance
                # END guest-agent host name

                """)
        #expect(try root.attributes("etc/hostname").mode == 0o644)

        // Idempotent: a second apply leaves the files byte-identical, with one agent block.
        let before = root.read("etc/hosts")
        _ = try await plugin.planAndApply(context)
        #expect(root.read("etc/hosts") == before)
        #expect(root.read("etc/hosts")?.components(separatedBy: "# BEGIN guest-agent").count == 2)
    }

    /// Records the names the plugin would give the running system.
    final class RecordingHostname: LiveHostname, @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String] = []
        var set: [String] { lock.withLock { names } }
        func set(_ name: String) throws { lock.withLock { names.append(name) } }
    }

    @Test func theRunningHostNameIsSetOnlyThroughTheHostLayer() async throws {
        let root = try PluginTestContext.makeRoot()
        let live = RecordingHostname()
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, liveHostname: live)
        guard case .apply(let changes) = try await HostnamePlugin().describedPlan(context) else {
            Issue.record("no plan")
            return
        }
        #expect(changes.last == "set the running host name to demo-instance")
        #expect(live.set.isEmpty)
        _ = try await HostnamePlugin().planAndApply(context)
        #expect(live.set == ["demo-instance"])
    }

    @Test func replacesItsOwnLineWhenTheNameChanges() async throws {
        let root = try PluginTestContext.makeRoot()
        let plugin = HostnamePlugin()
        _ = try await plugin.planAndApply(
            PluginTestContext.context(PluginTestContext.sampleMetadata(hostname: "first"), root: root))
        _ = try await plugin.planAndApply(
            PluginTestContext.context(PluginTestContext.sampleMetadata(hostname: "second.example.org"), root: root))
        let hosts = try #require(root.read("etc/hosts"))
        #expect(!hosts.contains("first"))
        #expect(
            hosts.contains(
                "# BEGIN guest-agent host name\n127.0.1.1\tsecond.example.org second\n# END guest-agent host name\n"))
        #expect(root.read("etc/hostname") == "second\n")
    }

    /// Regression (hostile probe): one byte that is not UTF-8 made the file count as absent
    /// and every line the agent does not own was replaced by a template.
    @Test func aHostsFileThatIsNotUTF8KeepsEveryByte() async throws {
        let root = try PluginTestContext.makeRoot()
        let own =
            Data("127.0.0.1 localhost\r\n10.0.0.5 ren".utf8) + Data([0xE9]) + Data("-desk # Ren\u{e9}'s box\n".utf8)
        try root.write(own, to: "etc/hosts")
        _ = try await HostnamePlugin().planAndApply(
            PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root))
        let after = try #require(FileManager.default.contents(atPath: root.path + "/etc/hosts"))
        #expect(after.prefix(own.count) == own, "the user's bytes must stay exactly as they were")
        #expect(
            String(decoding: after.dropFirst(own.count), as: UTF8.self).contains(
                "127.0.1.1\tdemo-instance.novalocal demo-instance"))
    }

    /// Regression: a user's own line ending in "# guest-agent" was taken for the agent's.
    @Test func aUserLineThatMentionsTheAgentIsNotOurs() async throws {
        let root = try PluginTestContext.makeRoot()
        try root.write("127.0.0.1 localhost\n10.9.9.9 buildhost # guest-agent\n", to: "etc/hosts")
        _ = try await HostnamePlugin().planAndApply(
            PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root))
        let hosts = try #require(root.read("etc/hosts"))
        #expect(
            hosts.hasPrefix("127.0.0.1 localhost\n10.9.9.9 buildhost # guest-agent\n# BEGIN guest-agent host name\n"))
    }

    @Test func netbiosCompatibilityCutsTo15Characters() throws {
        let result = try HostnameValidator.validate("a-very-long-instance-name-here.novalocal", netbios: true)
        #expect(result.shortName == "a-very-long-ins")
        #expect(try HostnameValidator.validate("abcdefghijklmn-pqr", netbios: true).shortName == "abcdefghijklmn")
    }

    @Test(arguments: [
        (
            "host;rm -rf /",
            "refusing host name 'host;rm -rf /': it contains the character ';' (only letters, digits and '-' are allowed)"
        ),
        (
            "$(reboot)",
            "refusing host name '$(reboot)': it contains the character '$' (only letters, digits and '-' are allowed)"
        ),
        (
            "good\nevil",
            "refusing host name 'good\\u{a}evil': it contains the character U+000A (only letters, digits and '-' are allowed)"
        ),
        ("", "refusing host name '': it is empty"),
        (
            String(repeating: "a", count: 300),
            "refusing host name '\(String(repeating: "a", count: 64))...': it is longer than 253 characters"
        ),
        (
            String(repeating: "b", count: 64),
            "refusing host name '\(String(repeating: "b", count: 64))': label '\(String(repeating: "b", count: 64))' is longer than 63 characters"
        ),
        ("-leading", "refusing host name '-leading': label '-leading' starts or ends with '-'"),
        ("a..b", "refusing host name 'a..b': it has an empty label"),
        (
            "caf\u{e9}",
            "refusing host name 'caf\\u{e9}': it contains the character U+00E9 (only letters, digits and '-' are allowed)"
        ),
    ])
    func hostileHostnamesAreRefusedAndNothingIsWritten(hostname: String, message: String) async throws {
        let root = try PluginTestContext.makeRoot()
        let runner = RecordingCommandRunner()
        let context = PluginTestContext.context(
            PluginTestContext.sampleMetadata(hostname: hostname), root: root, runner: runner)
        await #expect { try await HostnamePlugin().planAndApply(context) } throws: { "\($0)" == message }
        #expect(root.read("etc/hostname") == nil)
        #expect(root.read("etc/hosts") == nil)
        #expect(runner.calls.isEmpty)
    }

    @Test func skipsWhenThereIsNoName() async throws {
        let root = try PluginTestContext.makeRoot()
        var metadata = PluginTestContext.sampleMetadata(hostname: nil)
        metadata.name = "display name with spaces"
        #expect(
            try await HostnamePlugin().describedPlan(PluginTestContext.context(metadata, root: root))
                == .skip("metadata has no usable host name"))
    }
}
