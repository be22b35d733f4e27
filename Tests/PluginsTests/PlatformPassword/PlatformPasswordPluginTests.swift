import AgentBase
import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// The platform password plugin over a scratch root with a chpasswd that writes the shadow
/// file (`FakeChpasswd`): set and proven, left alone when already held, refused with a reason
/// that never shows the password, and nothing acknowledged unless the set was proven.
@Suite struct PlatformPasswordPluginTests {
    static func metadata(_ secret: PlatformPassword.Secret?, problem: String? = nil) -> InstanceMetadata {
        var metadata = PluginTestContext.sampleMetadata()
        metadata.platformPassword = secret.map { PlatformPassword(secret: $0, origin: "OpenNebula PASSWORD") }
        metadata.platformPasswordProblem = problem
        return metadata
    }

    static func hash(in root: TemporaryDirectory, user: String = "cloud-user") -> String? {
        root.read("etc/shadow")?.split(separator: "\n").first { $0.hasPrefix(user + ":") }
            .map { String($0.split(separator: ":", omittingEmptySubsequences: false)[1]) }
    }

    @Test func aClearPasswordIsSetProvenAndASecondBootChangesNothing() async throws {
        let root = try PluginTestContext.makeRoot()
        let runner = FakeChpasswd()
        let logs = LogCapture()
        let context = PluginTestContext.context(
            Self.metadata(.clearText("Pl4tform pass")), root: root, runner: runner, logger: logs.logger())
        let plugin = PlatformPasswordPlugin()
        #expect(try await plugin.planAndApply(context) == .done)
        #expect(ShadowCrypt.verify("Pl4tform pass", against: Self.hash(in: root) ?? ""))
        #expect(runner.calls.count == 1)
        #expect(runner.calls.allSatisfy { !$0.argv.joined().contains("Pl4tform") })
        #expect(!logs.text.contains("Pl4tform"))
        // Already held: a skip, no command.
        guard case .skip(let reason) = try await plugin.describedPlan(context) else {
            Issue.record("planned again")
            return
        }
        #expect(reason.contains("already holds"))
        #expect(try await plugin.planAndApply(context) == .done)
        #expect(runner.calls.count == 1)
    }

    @Test func aHashIsStoredAsItIs() async throws {
        let root = try PluginTestContext.makeRoot()
        let hash = try ShadowCrypt.hash("given")
        let context = PluginTestContext.context(Self.metadata(.cryptHash(hash)), root: root, runner: FakeChpasswd())
        #expect(try await PlatformPasswordPlugin().planAndApply(context) == .done)
        #expect(Self.hash(in: root) == hash)
    }

    @Test(arguments: [
        PlatformPassword.Secret.clearText("with:colon"), .cryptHash("*"), .cryptHash("!locked"), .clearText(""),
    ])
    func whatCannotBeSetFailsWithoutChangingTheAccount(secret: PlatformPassword.Secret) async throws {
        let root = try PluginTestContext.makeRoot()
        let before = root.read("etc/shadow")
        let runner = FakeChpasswd()
        let context = PluginTestContext.context(Self.metadata(secret), root: root, runner: runner)
        await #expect(throws: (any Error).self) { try await PlatformPasswordPlugin().planAndApply(context) }
        #expect(root.read("etc/shadow") == before)
        #expect(runner.calls.isEmpty)
    }

    @Test func aChpasswdThatStoresSomethingElseIsNotCalledSet() async throws {
        let root = try PluginTestContext.makeRoot()
        let runner = FakeChpasswd()
        runner.storedHash = try ShadowCrypt.hash("another")
        let context = PluginTestContext.context(Self.metadata(.clearText("mine")), root: root, runner: runner)
        let error = await #expect(throws: UserError.self) { try await PlatformPasswordPlugin().planAndApply(context) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("not the password's"))
    }

    @Test func anUnreadableChannelFailsNamingItAndNoPasswordIsASkip() async throws {
        let root = try PluginTestContext.makeRoot()
        let failing = PluginTestContext.context(
            Self.metadata(nil, problem: "the password server at http://10.1.1.1:8080/ could not be asked"), root: root)
        let error = await #expect(throws: PlatformPasswordError.self) {
            try await PlatformPasswordPlugin().planAndApply(failing)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("10.1.1.1:8080"))
        let none = PluginTestContext.context(Self.metadata(nil), root: root)
        #expect(try await PlatformPasswordPlugin().describedPlan(none) == .skip("the platform offers no new password"))
    }

    @Test func theCloudStackAcknowledgementWaitsForAProvenSet() async throws {
        let root = try PluginTestContext.makeRoot()
        var metadata = Self.metadata(nil)
        let url = URL(string: "http://127.0.0.1:9/")!
        metadata.platformPassword = PlatformPassword(
            secret: .clearText("cs-pass"), origin: "the CloudStack password server",
            acknowledgement: .cloudStackPasswordServer(url))
        let runner = FakeChpasswd()
        runner.exitCode = 1
        let context = PluginTestContext.context(metadata, root: root, runner: runner)
        // chpasswd fails: the error is the set's, and no request is sent (port 9 would refuse it).
        await #expect(throws: (any Error).self) { try await PlatformPasswordPlugin().planAndApply(context) }
        // Set and proven, but nobody takes the acknowledgement: reported, set stays.
        runner.exitCode = 0
        let outcome = try await PlatformPasswordPlugin().planAndApply(context)
        guard case .runAgainNextBoot(let reason) = outcome else {
            Issue.record("expected run again, got \(outcome)")
            return
        }
        #expect(reason.contains("did not take the acknowledgement"))
        #expect(ShadowCrypt.verify("cs-pass", against: Self.hash(in: root) ?? ""))
        // Next boot: already held, only the acknowledgement is planned.
        #expect(
            try await PlatformPasswordPlugin().describedPlan(context)
                == .apply(["acknowledge it to the password server at \(url) (saved_password)"]))
    }
}
