import AgentBase
import DataSources
import Foundation
import PasswordCrypto
import Plugins
import TestSupport
import Testing

/// Saved plugin data that survives "reboots" (successive applies), as the pipeline keeps it.
/// The password plugin's saved state between simulated boots, viewed as the string fields
/// it holds on disk (`phase`, `ciphertext`, `shadow_before`).
final class SavedData: @unchecked Sendable {
    private let lock = NSLock()
    private var value: JSONValue?
    init(_ values: [String: String] = [:]) { save(values) }
    var json: JSONValue? { lock.withLock { value } }
    var current: [String: String] {
        guard case .object(let fields) = json else { return [:] }
        return fields.compactMapValues { if case .string(let text) = $0 { text } else { nil } }
    }
    func store(_ new: JSONValue?) { lock.withLock { value = new } }
    func save(_ new: [String: String]) { store(.object(new.mapValues(JSONValue.string))) }
}

final class ConsoleCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func write(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}

@Suite(.ownThread(.timesDeadlines)) struct PasswordPluginTests {
    static let keys = BuiltProducts.repository.appendingPathComponent("fixtures/keys")
    static var rsaLine: String {
        (try? String(contentsOf: keys.appendingPathComponent("demo_rsa.pub"), encoding: .utf8)) ?? ""
    }
    static var edLine: String {
        (try? String(contentsOf: keys.appendingPathComponent("demo_ed25519.pub"), encoding: .utf8)) ?? ""
    }

    struct Boot {
        let root: TemporaryDirectory
        let work: TemporaryDirectory
        let runner = FakeChpasswd()
        let saved: SavedData
        let logs = LogCapture()
        let console = ConsoleCapture()

        func metadata(
            server: MockServerProcess?, keys: [PublicKeyEntry]? = nil, publication: PasswordPublication? = nil
        ) -> InstanceMetadata {
            var metadata = PluginTestContext.sampleMetadata(
                keys: keys ?? [
                    PublicKeyEntry(name: "ed", line: PasswordPluginTests.edLine),
                    PublicKeyEntry(name: "demo-key", line: PasswordPluginTests.rsaLine),
                ])
            metadata.passwordPublication =
                publication
                ?? server.map {
                    .novaPasswordEndpoint($0.baseURL.appendingPathComponent("openstack/2013-04-04/password"))
                } ?? .none
            return metadata
        }

        func apply(_ metadata: InstanceMetadata, config: AgentConfig = AgentConfig()) async throws -> PluginOutcome {
            let context = PluginTestContext.context(
                metadata, root: root, config: config, runner: runner, logger: logs.logger(),
                savedState: saved.json, saveState: { [saved] in saved.store($0) },
                console: { [console] in console.write($0) })
            return try await PasswordPlugin().planAndApply(context)
        }

        var shadowHash: String? { try? PasswordSetter().passwordHash(for: "cloud-user", root: SystemRoot(root.path)) }

        /// A fresh server (a new "boot" of the cloud side) with its own request log.
        func server(_ arguments: [String] = []) async throws -> MockServerProcess {
            let logs = work.path + "/\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
            return try await MockServerProcess(
                fixtures: BuiltProducts.defaultFixtures,
                arguments: arguments, logDirectory: logs)
        }
    }

    static func boot(saved: [String: String] = [:]) throws -> Boot {
        let work = try TemporaryDirectory()
        return Boot(root: try PluginTestContext.makeRoot(), work: work, saved: SavedData(saved))
    }

    static func stored(on server: MockServerProcess) async throws -> String {
        let url = server.baseURL.appendingPathComponent("openstack/latest/password")
        let reply = try await MetadataHTTPClient().send(HTTPRequestSpec(url: url), maxBytes: 4096)
        return String(decoding: reply.body, as: UTF8.self)
    }

    /// Decrypts with the real openssl and the fixture's PEM key.
    static func opensslDecrypt(_ ciphertext: String) async throws -> String {
        let result = try await KeyFactory.opensslDecrypt(
            ciphertext, keyPath: keys.appendingPathComponent("demo_rsa").path)
        #expect(result.status == 0, "\(result.standardError)")
        return result.standardOutput
    }

    @Test func publishesAPasswordThatOnlyTheKeyHolderCanReadAndThatIsTheOneSet() async throws {
        let boot = try Self.boot()
        let server = try await boot.server()
        #expect(try await boot.apply(boot.metadata(server: server)) == .done)
        let published = try await Self.stored(on: server)
        let password = try await Self.opensslDecrypt(published)
        #expect(password.count == 20)
        #expect(ShadowCrypt.verify(password, against: try #require(boot.shadowHash)))
        // Never in logs, argv, stdin or saved state in clear.
        #expect(!boot.logs.text.contains(password))
        #expect(boot.runner.calls.count == 1)
        #expect(!boot.runner.calls[0].argv.joined().contains(password))
        #expect(!String(decoding: boot.runner.calls[0].standardInput ?? Data(), as: UTF8.self).contains(password))
        #expect(!boot.saved.current.values.contains { $0.contains(password) })
        #expect(boot.saved.current["phase"] == "published")
        // The key chosen was the ssh-rsa one, not the first (ed25519) one.
        #expect(server.loggedRequests().filter { $0["method"] as? String == "POST" }.count == 1)
    }

    @Test(arguments: [
        ["--fail-first", "20:POST /openstack/2013-04-04/password"], ["--drop", "POST /openstack/2013-04-04/password"],
    ])
    func aFailedPostIsRetriedNextBootWithTheSameCiphertextAndNoNewPassword(fault: [String]) async throws {
        let boot = try Self.boot()
        let failing = try await boot.server(fault)
        let first = try await boot.apply(boot.metadata(server: failing))
        guard case .runAgainNextBoot = first else {
            Issue.record("expected run-again, got \(first)")
            return
        }
        let saved = boot.saved.current
        #expect(saved["phase"] == "set")
        let ciphertext = try #require(saved["ciphertext"])
        let hashAfterFirstBoot = boot.shadowHash
        failing.stop()

        let healthy = try await boot.server()
        #expect(try await boot.apply(boot.metadata(server: healthy)) == .done)
        #expect(try await Self.stored(on: healthy) == ciphertext)
        #expect(boot.runner.calls.count == 1)
        #expect(boot.shadowHash == hashAfterFirstBoot)
        await #expect(ShadowCrypt.verify(try Self.opensslDecrypt(ciphertext), against: try #require(boot.shadowHash)))
    }

    @Test func a409ForOurOwnEarlierPostIsSuccess() async throws {
        // A previous boot set the password and its POST went through, but the reply was lost.
        let boot = try Self.boot()
        let scratch = try await boot.server()
        _ = try await boot.apply(boot.metadata(server: scratch))
        let ciphertext = try #require(boot.saved.current["ciphertext"])
        boot.saved.save(boot.saved.current.merging(["phase": "set"]) { $1 })
        let server = try await boot.server(["--password", ciphertext])
        #expect(try await boot.apply(boot.metadata(server: server)) == .done)
        #expect(server.loggedRequests().first { $0["method"] as? String == "POST" }?["status"] as? Int == 409)
        #expect(boot.saved.current["phase"] == "published")
        #expect(boot.runner.calls.count == 1)
    }

    @Test func aPasswordAlreadyOnTheServerMeansNoNewPassword() async throws {
        let boot = try Self.boot()
        let server = try await boot.server(["--password", "c29tZW9uZSBlbHNl"])
        let before = boot.shadowHash
        #expect(try await boot.apply(boot.metadata(server: server)) == .done)
        #expect(boot.runner.calls.isEmpty)
        #expect(boot.shadowHash == before)
        #expect(try await Self.stored(on: server) == "c29tZW9uZSBlbHNl")
    }

    @Test func withOnlyEd25519KeysThePasswordIsLeftAloneAndTheReasonIsLogged() async throws {
        let boot = try Self.boot()
        let server = try await boot.server()
        let metadata = boot.metadata(server: server, keys: [PublicKeyEntry(name: "ed", line: Self.edLine)])
        let context = PluginTestContext.context(metadata, root: boot.root, runner: boot.runner)
        let plan = try await PasswordPlugin().describedPlan(context)
        guard case .skip(let reason) = plan else {
            Issue.record("expected skip, got \(plan)")
            return
        }
        #expect(reason.contains("SSH key login only") && reason.contains("ssh-ed25519"))
        #expect(try await boot.apply(metadata) == .done)
        #expect(boot.runner.calls.isEmpty)
        #expect(boot.logs.text.contains("left unchanged (SSH key login only)"), "\(boot.logs.text)")
        #expect(try await Self.stored(on: server) == "")
    }

    /// Where the platform hands over a password of its own (platform_password sets it), the
    /// skip names it instead of claiming SSH key login only.
    @Test func withAPlatformPasswordTheSkipNamesItInsteadOfKeyLoginOnly() async throws {
        let boot = try Self.boot()
        let server = try await boot.server()
        var metadata = boot.metadata(server: server, keys: [PublicKeyEntry(name: "ed", line: Self.edLine)])
        metadata.platformPassword = PlatformPassword(secret: .clearText("s3cret"), origin: "OpenNebula PASSWORD")
        let context = PluginTestContext.context(metadata, root: boot.root, runner: boot.runner)
        guard case .skip(let reason) = try await PasswordPlugin().describedPlan(context) else {
            Issue.record("expected skip")
            return
        }
        #expect(!reason.contains("SSH key login only"), "\(reason)")
        #expect(reason.contains("OpenNebula PASSWORD") && reason.contains("platform_password"), "\(reason)")
        #expect(!reason.contains("s3cret"))
    }

    @Test func aCrashBeforeTheSetStartsOverAndACrashAfterItPublishesTheSavedCiphertext() async throws {
        // Crash between saving the ciphertext and chpasswd: the shadow entry did not change.
        let boot = try Self.boot()
        let unchanged = PasswordCryptoFingerprint.of(boot.shadowHash ?? "")
        boot.saved.save(["phase": "encrypted", "ciphertext": "bm90LXVzZWQ=", "shadow_before": unchanged])
        let server = try await boot.server()
        #expect(try await boot.apply(boot.metadata(server: server)) == .done)
        let published = try await Self.stored(on: server)
        #expect(published != "bm90LXVzZWQ=")
        await #expect(ShadowCrypt.verify(try Self.opensslDecrypt(published), against: try #require(boot.shadowHash)))

        // Crash right after chpasswd: the shadow entry changed, but "changed" proves nothing
        // (useradd, an operator or another tool may have changed it), and a new process no
        // longer has the clear text to check the hash with. So the saved ciphertext is never
        // published: a new password is set, verified against /etc/shadow, and published.
        let second = try Self.boot()
        let scratch = try await second.server()
        _ = try await second.apply(second.metadata(server: scratch))
        let ciphertext = try #require(second.saved.current["ciphertext"])
        second.saved.save([
            "phase": "encrypted", "ciphertext": ciphertext, "shadow_before": PasswordCryptoFingerprint.of("!"),
        ])
        let fresh = try await second.server()
        #expect(try await second.apply(second.metadata(server: fresh)) == .done)
        let republished = try await Self.stored(on: fresh)
        #expect(republished != ciphertext)
        await #expect(
            ShadowCrypt.verify(try Self.opensslDecrypt(republished), against: try #require(second.shadowHash)))
        #expect(second.runner.calls.count == 2)
        #expect(second.saved.current["phase"] == "published")
    }

    /// Regression (issue 29): chpasswd exited 0 but /etc/shadow does not hold the password
    /// (a site wrapper, a tool that stored something else): nothing is published.
    @Test func aPasswordThatShadowDoesNotHoldAfterChpasswdIsNeverPublished() async throws {
        let boot = try Self.boot()
        let server = try await boot.server()
        let other = try ShadowCrypt.hash("not-the-generated-one")
        boot.runner.storedHash = other
        await #expect {
            try await boot.apply(boot.metadata(server: server))
        } throws: { error in
            "\(error)".contains("cloud-user") && "\(error)".contains("/etc/shadow")
        }
        #expect(try await Self.stored(on: server) == "")
        #expect(!server.loggedRequests().contains { $0["method"] as? String == "POST" })
        #expect(boot.shadowHash == other)
        #expect(boot.saved.current["phase"] == "encrypted", "the next run starts over")

        // Next boot, with a chpasswd that works: a new password, the one in /etc/shadow, is published.
        boot.runner.storedHash = nil
        #expect(try await boot.apply(boot.metadata(server: server)) == .done)
        let published = try await Self.stored(on: server)
        await #expect(ShadowCrypt.verify(try Self.opensslDecrypt(published), against: try #require(boot.shadowHash)))
        #expect(boot.runner.calls.count == 2)
    }

    /// Regression (issue 29): a password set by the agent, then changed by someone else before
    /// it could be published (a cloud-config chpasswd, an operator): the old ciphertext no
    /// longer opens the account, so it is not published, and the other password is left alone.
    @Test func aPasswordChangedBeforeItWasPublishedIsNeitherPublishedNorReplaced() async throws {
        let boot = try Self.boot()
        let failing = try await boot.server(["--fail-first", "20:POST /openstack/2013-04-04/password"])
        guard case .runAgainNextBoot = try await boot.apply(boot.metadata(server: failing)) else {
            Issue.record("expected run-again")
            return
        }
        failing.stop()
        let other = try ShadowCrypt.hash("chosen-by-the-operator")
        let shadow = try #require(boot.root.read("etc/shadow"))
        try boot.root.write(
            shadow.replacingOccurrences(of: try #require(boot.shadowHash), with: other), to: "etc/shadow", mode: 0o640)

        let healthy = try await boot.server()
        #expect(try await boot.apply(boot.metadata(server: healthy)) == .done)
        #expect(try await Self.stored(on: healthy) == "")
        #expect(boot.shadowHash == other)
        #expect(boot.runner.calls.count == 1)
        #expect(boot.logs.text.contains("changed since"), "\(boot.logs.text)")
    }

    @Test func anInjectedAdminPassIsSetAndNotPublished() async throws {
        let boot = try Self.boot()
        var metadata = boot.metadata(server: nil)
        metadata.adminPassword = "Given-At-Boot-42"
        #expect(try await boot.apply(metadata) == .done)
        #expect(ShadowCrypt.verify("Given-At-Boot-42", against: try #require(boot.shadowHash)))
        #expect(!boot.logs.text.contains("Given-At-Boot-42"))
        var config = AgentConfig()
        config.password.injectUserPassword = false
        let other = try Self.boot()
        let context = PluginTestContext.context(metadata, root: other.root, config: config, runner: other.runner)
        guard case .skip = try await PasswordPlugin().describedPlan(context) else {
            Issue.record("expected skip without a place to publish")
            return
        }
    }

    @Test func onEC2TheCiphertextGoesToTheConsoleBetweenPasswordTags() async throws {
        let boot = try Self.boot()
        #expect(try await boot.apply(boot.metadata(server: nil, publication: .ec2Console)) == .done)
        let console = boot.console.text
        #expect(console.hasPrefix("<Password>\n") && console.hasSuffix("\n</Password>"))
        let decryptor = try PasswordDecryptor(
            privateKey: String(contentsOf: Self.keys.appendingPathComponent("demo_rsa.openssh"), encoding: .utf8))
        let password = try decryptor.decrypt(console)
        #expect(ShadowCrypt.verify(password, against: try #require(boot.shadowHash)))
    }

    @Test func aHostileAdminNameIsRefusedBeforeAnythingHappens() async throws {
        let boot = try Self.boot()
        let server = try await boot.server()
        var metadata = boot.metadata(server: server)
        metadata.meta["admin_username"] = "x $(reboot)"
        await #expect(throws: UserError.self) { try await boot.apply(metadata) }
        #expect(boot.runner.calls.isEmpty)
        #expect(try await Self.stored(on: server) == "")
    }
}
