import AgentBase
import Foundation
import HostEffects
import TestSupport
import Testing

@testable import Plugins

/// cloud-config locale in a scratch root: /etc/default/locale, /etc/locale.gen's block and
/// locale-gen run inside the root (argv recorded: a real locale-gen writes /usr/lib/locale).
@Suite struct CloudConfigLocaleTests {
    static let localeGen =
        "# This file lists locales that you wish to have built.\n# de_DE.UTF-8 UTF-8\n# en_US.UTF-8 UTF-8\n"

    func apply(_ yaml: String, root: TemporaryDirectory, runner: RecordingCommandRunner) async throws -> [String] {
        let context = PluginTestContext.context(PluginTestContext.sampleMetadata(), root: root, runner: runner)
        let system = try CloudConfig(Data(("#cloud-config\n" + yaml).utf8)).system
        return await CloudConfigApplier(context: context).applySystem([.locale], of: system)
    }

    @Test(.enabled(if: Program.isRoot, "locale-gen runs inside --root through chroot, which needs root"))
    func enablesGeneratesAndSetsLANG() async throws {
        let root = try PluginTestContext.makeRoot()
        _ = try root.write(Self.localeGen, to: "etc/locale.gen")
        _ = try root.write("de_DE.UTF-8 UTF-8\nde_DE ISO-8859-1\nen_US.UTF-8 UTF-8\n", to: "usr/share/i18n/SUPPORTED")
        _ = try root.write("#!/bin/sh\nexit 0\n", to: "usr/sbin/locale-gen", mode: 0o755)
        _ = try root.write("LANGUAGE=en_US:en\nLANG=en_US.UTF-8\n", to: "etc/default/locale")
        let runner = RecordingCommandRunner()
        #expect(try await apply("locale: de_DE.UTF-8\n", root: root, runner: runner).isEmpty)
        #expect(root.read("etc/default/locale") == "LANGUAGE=en_US:en\nLANG=de_DE.UTF-8\n")
        #expect(
            root.read("etc/locale.gen") == Self.localeGen
                + "# BEGIN guest-agent cloud-config locale\nde_DE.UTF-8 UTF-8\n# END guest-agent cloud-config locale\n")
        #expect(runner.calls.map(\.argv) == [[try #require(ScriptRunner.hostChroot()), root.path, "locale-gen"]])

        // Again: nothing changes and locale-gen does not run a second time.
        #expect(try await apply("locale: de_DE.UTF-8\n", root: root, runner: runner).isEmpty)
        #expect(runner.calls.count == 1)
    }

    @Test func aLocaleTheRootDoesNotSupportIsNamed() async throws {
        let root = try PluginTestContext.makeRoot()
        _ = try root.write(Self.localeGen, to: "etc/locale.gen")
        _ = try root.write("en_US.UTF-8 UTF-8\n", to: "usr/share/i18n/SUPPORTED")
        let failures = try await apply("locale: xx_YY.UTF-8\n", root: root, runner: RecordingCommandRunner())
        #expect(
            failures == [
                "locale: cloud-config locale must be a locale the root supports (xx_YY.UTF-8 is not in /usr/share/i18n/SUPPORTED)"
            ])
        #expect(root.read("etc/default/locale") == nil)
        #expect(root.read("etc/locale.gen") == Self.localeGen)
    }

    @Test func builtInLocaleAndConfigFileNeedNoGeneration() async throws {
        let root = try PluginTestContext.makeRoot()
        _ = try root.write(Self.localeGen, to: "etc/locale.gen")
        let runner = RecordingCommandRunner()
        #expect(
            try await apply("locale: C.UTF-8\nlocale_configfile: /etc/locale.conf\n", root: root, runner: runner)
                .isEmpty)
        #expect(root.read("etc/locale.conf") == "LANG=C.UTF-8\n")
        #expect(root.read("etc/locale.gen") == Self.localeGen)
        #expect(runner.calls.isEmpty)
    }
}
