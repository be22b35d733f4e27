import AgentBase
import Foundation
import HostEffects
import TestSupport
import Testing

@testable import Plugins

/// cloud-config ca_certs: certificates made by the real openssl, the written files read back by
/// `openssl x509`, and the real update-ca-certificates run by the agent inside a chroot
/// scratch root.
@Suite(.enabled(if: Program.isRoot, "update-ca-certificates runs inside --root through chroot, which needs root"))
struct CloudConfigCACertsTests {
    /// A fresh self-signed certificate (PEM) from openssl.
    static func makeCertificate(_ name: String) async throws -> String {
        let directory = try TemporaryDirectory(prefix: "ca-cert")
        let result = try await Program.tool(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                "/CN=\(name)", "-keyout", directory.path + "/key.pem", "-out", directory.path + "/cert.pem",
            ])
        #expect(result.status == 0, "\(result.standardError)")
        return try #require(directory.read("cert.pem"))
    }

    static func yaml(_ certificates: [String], removeDefaults: Bool = false, key: String = "ca_certs") -> String {
        var text = "#cloud-config\n\(key):\n  remove_defaults: \(removeDefaults)\n  trusted:\n"
        for certificate in certificates {
            text += "    - |\n" + certificate.split(separator: "\n").map { "      \($0)\n" }.joined()
        }
        return text
    }

    func apply(_ yaml: String, root: String, runner: any CommandRunner) async throws -> [String] {
        let directory = try TemporaryDirectory(prefix: "unused")
        var context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: directory, runner: runner)
        context = PluginContext(
            metadata: context.metadata, config: context.config, root: SystemRoot(root), runner: runner,
            http: context.http, logger: context.logger)
        let system = try CloudConfig(Data(yaml.utf8)).system
        return await CloudConfigApplier(context: context).applySystem([.caCerts], of: system)
    }

    @Test func writesEachCertificateReadableByOpenSSLAndRunsTheTool() async throws {
        let first = try await Self.makeCertificate("guest-agent test one")
        let second = try await Self.makeCertificate("guest-agent test two")
        let root = try PluginTestContext.makeRoot()
        _ = try root.write("#!/bin/sh\nexit 0\n", to: "usr/sbin/update-ca-certificates", mode: 0o755)
        _ = try root.write("stale\n", to: "usr/local/share/ca-certificates/guest-agent-3.crt")
        let runner = RecordingCommandRunner()
        #expect(try await apply(Self.yaml([first, second], key: "ca-certs"), root: root.path, runner: runner).isEmpty)
        for (number, name) in [(1, "one"), (2, "two")] {
            let path = root.path + "/usr/local/share/ca-certificates/guest-agent-\(number).crt"
            let read = try await Program.tool("openssl", ["x509", "-noout", "-subject", "-in", path])
            #expect(read.status == 0 && read.standardOutput.contains("guest-agent test \(name)"), "\(read)")
        }
        #expect(root.read("usr/local/share/ca-certificates/guest-agent-3.crt") == nil, "an earlier, longer list's file")
        #expect(
            runner.calls.map(\.argv) == [
                [try #require(ScriptRunner.hostChroot()), root.path, "update-ca-certificates"]
            ])
    }

    @Test func aNonPEMEntryIsNamedAndNothingIsWritten() async throws {
        let good = try await Self.makeCertificate("good")
        let root = try PluginTestContext.makeRoot()
        let runner = RecordingCommandRunner()
        let broken = good.replacingOccurrences(of: "-----END CERTIFICATE-----", with: "")
        let failures = try await apply(Self.yaml([good, broken]), root: root.path, runner: runner)
        #expect(
            failures.count == 1 && failures[0].hasPrefix("ca_certs: cloud-config ca_certs.trusted[1] must be PEM"),
            "\(failures)")
        #expect(!FileManager.default.fileExists(atPath: root.path + "/usr/local/share/ca-certificates"))
        #expect(runner.calls.isEmpty)
    }

    @Test func removeDefaultsDeselectsEveryEntry() {
        let conf = "# comment\nmozilla/A.crt\n!mozilla/B.crt\n\nmozilla/C.crt\n"
        let edited = CloudConfigCACerts.deselected(conf)
        #expect(
            edited
                == "# comment\n\(CloudConfigCACerts.deselectHeader)\n!mozilla/A.crt\n!mozilla/B.crt\n\n!mozilla/C.crt\n"
        )
        #expect(CloudConfigCACerts.deselected(edited) == edited)
    }

    /// The real update-ca-certificates (the host's, bind-mounted read-only with /usr) in a chroot
    /// scratch root: our certificate lands in the bundle; with remove_defaults the image's
    /// certificates leave it. /usr/local/share/ca-certificates is a writable directory mounted
    /// over the read-only /usr for the test.
    @Test func realUpdateCACertificatesInAChroot() async throws {
        // A missing tool fails: scripts/setup.sh installs it (a silent pass would hide that
        // the real tool never ran).
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/sbin/update-ca-certificates"),
            "update-ca-certificates not installed: run scripts/setup.sh (package ca-certificates)")
        let ours = try await Self.makeCertificate("guest-agent chroot")
        let root = try await ChrootScratchRoot()
        defer { root.close() }
        let local = try TemporaryDirectory(prefix: "local-certs")
        let mountPoint = root.path + "/usr/local/share/ca-certificates"
        try #require(FileManager.default.fileExists(atPath: mountPoint))
        #expect(try await Program.tool("mount", ["--bind", local.path, mountPoint]).status == 0)
        defer { Program.cleanUp("umount", [mountPoint]) }
        let image = "mozilla/ISRG_Root_X1.crt\n"
        _ = try root.directory.write(image, to: "etc/ca-certificates.conf")
        // What a Debian root with ca-certificates (and so debconf) has.
        for directory in ["etc/ssl/certs", "var/cache/debconf"] {
            try FileManager.default.createDirectory(
                atPath: root.path + "/" + directory, withIntermediateDirectories: true)
        }
        let runner = SubprocessCommandRunner(tools: ToolLocator(root: SystemRoot(root.path)))
        #expect(try await apply(Self.yaml([ours]), root: root.path, runner: runner).isEmpty)
        let body = ours.split(separator: "\n")[1]
        let bundle = try #require(root.directory.read("etc/ssl/certs/ca-certificates.crt"))
        #expect(bundle.contains(body))
        #expect(bundle.components(separatedBy: "BEGIN CERTIFICATE").count == 3, "ISRG and ours")

        let failures = try await apply(Self.yaml([ours], removeDefaults: true), root: root.path, runner: runner)
        #expect(failures.isEmpty, "\(failures)")
        let after = try #require(root.directory.read("etc/ssl/certs/ca-certificates.crt"))
        #expect(after.contains(body) && after.components(separatedBy: "BEGIN CERTIFICATE").count == 2, "only ours")
        #expect(root.directory.read("etc/ca-certificates.conf")?.contains("!mozilla/ISRG_Root_X1.crt") == true)
        let debconf = try #require(root.directory.read("var/cache/debconf/config.dat"))
        #expect(
            debconf.contains(
                "Name: ca-certificates/trust_new_crts\nTemplate: ca-certificates/trust_new_crts\nValue: no"),
            "\(debconf)")
    }
}
