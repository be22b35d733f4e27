import DataSources
import Foundation
import Plugins
import TestSupport
import Testing

/// The password plugin when a config drive won discovery: it asks nova's password endpoint
/// at `metadata_base_url` (one GET), and publishes there when it answers.
@Suite(.ownThread(.timesDeadlines)) struct PasswordConfigDriveTests {
    static func driveMetadata(_ boot: PasswordPluginTests.Boot) -> InstanceMetadata {
        var metadata = boot.metadata(server: nil, publication: PasswordPublication.none)
        metadata.sourceID = "configdrive"
        return metadata
    }

    static func config(_ base: URL, sources: [DataSourceRegistry.SourceID] = [.configdrive, .openstack])
        -> AgentConfig
    {
        var config = AgentConfig()
        config.metadataBaseURL = base
        config.metadataServices = sources
        config.requestTimeout = 1
        return config
    }

    static func passwordRequests(_ server: MockServerProcess) -> [String] {
        server.loggedRequests().compactMap { request in
            guard let path = request["path"] as? String, path.hasSuffix("/password") else { return nil }
            return "\(request["method"] as? String ?? "?") \(path)"
        }
    }

    @Test func planAndApplyAskNovaOnceAndPublishThere() async throws {
        let boot = try PasswordPluginTests.boot()
        let server = try await boot.server()
        let metadata = Self.driveMetadata(boot)
        let context = PluginTestContext.context(
            metadata, root: boot.root, config: Self.config(server.baseURL), runner: boot.runner,
            logger: boot.logs.logger(), savedState: boot.saved.json,
            saveState: { [saved = boot.saved] in saved.store($0) })
        let plugin = PasswordPlugin()
        // The plan value carries the probe's answer to apply: one GET for both.
        guard case .apply(let plan) = try await plugin.plan(context) else {
            Issue.record("expected a plan to apply")
            return
        }
        #expect(plan.changes.joined().contains(server.baseURL.absoluteString + "/openstack/latest/password"))
        #expect(try await plugin.apply(plan, context) == .done)
        #expect(
            Self.passwordRequests(server) == ["GET /openstack/latest/password", "POST /openstack/latest/password"])
        let password = try await PasswordPluginTests.opensslDecrypt(try await PasswordPluginTests.stored(on: server))
        #expect(ShadowCrypt.verify(password, against: try #require(boot.shadowHash)))
        #expect(boot.saved.current["phase"] == "published")
    }

    @Test func withoutOpenstackInMetadataServicesNothingIsAsked() async throws {
        let boot = try PasswordPluginTests.boot()
        let server = try await boot.server()
        let context = PluginTestContext.context(
            Self.driveMetadata(boot), root: boot.root, config: Self.config(server.baseURL, sources: [.configdrive]),
            runner: boot.runner)
        guard case .skip(let reason) = try await PasswordPlugin().describedPlan(context) else {
            Issue.record("expected a skip")
            return
        }
        #expect(reason.contains("'configdrive' has nowhere to publish"))
        #expect(server.loggedRequests().isEmpty)
    }

    @Test func aNovaThatAnswers404LeavesThePasswordAloneAndSaysWhy() async throws {
        let boot = try PasswordPluginTests.boot()
        let server = try await boot.server()
        let before = boot.shadowHash
        // A base URL where the mock has no metadata tree: the password GET answers 404.
        let base = server.baseURL.appendingPathComponent("elsewhere")
        let outcome = try await boot.apply(Self.driveMetadata(boot), config: Self.config(base))
        #expect(outcome == .done)
        #expect(boot.runner.calls.isEmpty)
        #expect(boot.shadowHash == before)
        #expect(boot.logs.text.contains("HTTP 404"))
        #expect(boot.logs.text.contains("nova metadata service did not answer"))
        #expect(Self.passwordRequests(server) == ["GET /elsewhere/openstack/latest/password"])
    }

    @Test func aPasswordSetWhenNovaAnsweredIsStillOwedWhenItStopsAnswering() async throws {
        // An earlier boot set the password and crashed before the POST; now nova is gone.
        let boot = try PasswordPluginTests.boot(saved: ["phase": "set", "ciphertext": "c2F2ZWQ="])
        let server = try await boot.server()
        server.stop()
        let outcome = try await boot.apply(Self.driveMetadata(boot), config: Self.config(server.baseURL))
        guard case .runAgainNextBoot(let reason) = outcome else {
            Issue.record("expected run-again, got \(outcome)")
            return
        }
        #expect(reason.contains("not yet published"))
        #expect(boot.runner.calls.isEmpty)
    }
}
